"""Drop the `_like` (varchar_pattern_ops) index twins that no prefix search uses.

New schemas never get them (tenants/postgresql_backend/schema.py makes a twin only for the columns
in PREFIX_SEARCHED); this removes them from the schemas made before. Index names are the same in
every schema (Django derives them from table and column), and each is dropped in the schema being
migrated only (current_schema(): the town, or public), never through the search path. Plain SQL,
so migrate_fleet replays it in one transaction per town.
"""

from django.db import migrations

UNUSED_PATTERN_INDEXES = [
    "accounts_department_code_ca047dbc_like",
    "auditlog_logentry_cid_9f467263_like",
    "auditlog_logentry_object_pk_6e3219c0_like",
    "auth_group_name_a6ea08ec_like",
    "authtoken_token_key_10f0b77e_like",
    "axes_accessattempt_user_agent_ad89678b_like",
    "axes_accessattempt_username_3f2d4ca0_like",
    "axes_accessfailurelog_user_agent_ea145dda_like",
    "axes_accessfailurelog_username_a8b7e8a4_like",
    "axes_accesslog_user_agent_0e659004_like",
    "axes_accesslog_username_df93064b_like",
    "building_permits_standardhouseplan_code_3300cb42_like",
    "casework_case_tracking_code_99eb67a5_like",
    "casework_certificate_verification_token_dbd67eec_like",
    "casework_documentrequirement_code_3a35207f_like",
    "casework_feerate_fee_code_fbe5dd63_like",
    "casework_servicesettings_kind_f33e8846_like",
    "citizens_assistedfiling_takeover_token_hash_c094788e_like",
    "citizens_digitalidprovider_kind_f3d3313f_like",
    "citizens_digitalidsignin_nonce_hash_6ca7fb24_like",
    "common_outboxmessage_provider_message_id_6fa49aa7_like",
    "complaints_category_code_3ed35a81_like",
    "complaints_categoryattribute_code_4c0dca50_like",
    "complaints_community_name_th_69cc9e6e_like",
    "complaints_complaint_access_token_acd1d17c_like",
    "complaints_complaint_tracking_code_9109a7d3_like",
    "complaints_lineconversation_line_user_id_bb2a2cf3_like",
    "complaints_linedraftphoto_line_message_id_428295fe_like",
    "complaints_linewebhookevent_event_id_7a618f81_like",
    "complaints_open311client_key_hash_6229797e_like",
    "complaints_open311client_key_prefix_b025cf6f_like",
    "django_session_session_key_c0390e0f_like",
    "exchange_exchangemessage_recipient_code_4bdda152_like",
    "exchange_exchangemessage_sender_code_735085c0_like",
    "exchange_externalagency_code_0bdec05d_like",
    "food_premises_hygienechecklistitem_code_14ce5786_like",
    "onboarding_readyschema_fingerprint_27c6af21_like",
    "onboarding_readyschema_schema_name_154289d9_like",
    "onboarding_schematemplate_schema_name_f81561d7_like",
    "payments_bankconnection_bank_ca05458a_like",
    "payments_banktransaction_outcome_10155925_like",
    "payments_banktransaction_ref1_5877e491_like",
    "payments_banktransaction_transaction_key_1f6c6ae8_like",
    "payments_feetier_code_e9677e34_like",
    "payments_feetype_code_78f6ea16_like",
    "payments_invoice_number_d5fb5adc_like",
    "payments_invoice_ref1_5749efcc_like",
    "payments_invoiceline_fee_code_20af66a5_like",
    "payments_payer_code_5da3aa55_like",
    "payments_payer_community_bc2b078c_like",
    "payments_payer_national_id_9c2dce0c_like",
    "payments_statementimport_sha256_d7687ce8_like",
    "privacy_retentionrule_record_type_d9924dd7_like",
    "tenants_domain_domain_e75f0449_like",
    "tenants_municipality_schema_name_484b902f_like",
    "tenants_municipality_short_code_676e33f3_like",
    "tenants_municipality_slug_298c1d81_like",
    "tenants_municipality_tax_id_b1d7c156_like",
]

NAMES = ", ".join(f"'{name}'" for name in UNUSED_PATTERN_INDEXES)
DROP = f"""
DO $$
DECLARE
    index_name text;
BEGIN
    FOREACH index_name IN ARRAY ARRAY[{NAMES}]::text[] LOOP
        EXECUTE format('DROP INDEX IF EXISTS %I.%I', current_schema(), index_name);
    END LOOP;
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("common", "0006_alter_outboxmessage_status"),
        ("accounts", "0002_citizen_identity"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("axes", "0010_accessattemptexpiration"),
        ("auditlog", "0017_add_actor_email"),
        ("authtoken", "0004_alter_tokenproxy_options"),
        ("sessions", "0001_initial"),
        ("casework", "0003_service_late_surcharge"),
        ("complaints", "0007_line_sealed_credentials_and_event_dedupe"),
        ("payments", "0006_banks_inquiry_and_chase"),
        ("building_permits", "0002_seed_town_defaults"),
        ("food_premises", "0002_seed_town_defaults"),
        ("citizens", "0002_assistedfiling"),
        ("privacy", "0002_alter_retentionrule_record_type"),
    ]

    operations = [migrations.RunSQL(DROP, reverse_sql=migrations.RunSQL.noop)]
