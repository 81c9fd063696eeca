"""Fleet deploys: up-to-date towns are skipped; behind towns are brought level by SQL replay or by
Django's migrate, and end up equal to a freshly migrated town."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from onboarding import schema_template as templates
from onboarding.actions import register_town
from onboarding.fleet import expected_digest, history_digests, migrate_fleet
from onboarding.pipeline import run_job
from onboarding.schema_catalog import schema_differences
from tests.onboarding.conftest import unapply_a_leaf_migration

from .conftest import make_spec

pytestmark = pytest.mark.django_db


def live_town():
    return run_job(register_town(spec=make_spec(staff=[])).pk).municipality


def test_towns_that_are_up_to_date_are_skipped(schema_template):
    live_town()
    report = migrate_fleet(jobs=1, skip_public=True)
    assert report.towns >= 3
    assert report.up_to_date == report.towns
    assert report.migrated_by_sql == report.migrated_by_django == 0
    assert not report.template_rebuilt


def test_a_town_behind_on_a_ddl_migration_is_brought_level_by_sql(schema_template):
    town = live_town()
    schema = town.schema_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {schema}.django_migrations WHERE app = 'common' "  # noqa: S608
            "AND name = '0002_audit_append_only'"
        )
        cursor.execute(f"DROP TRIGGER auditlog_logentry_append_only ON {schema}.auditlog_logentry")
        cursor.execute(f"DROP FUNCTION {schema}.thongthin_audit_append_only()")
    assert history_digests([schema])[schema] != expected_digest()

    report = migrate_fleet(jobs=1, skip_public=True)

    assert report.migrated_by_sql == 1
    assert not report.failed
    assert history_digests([schema])[schema] == expected_digest()
    templates.create_town_schema("town_fleet_reference")
    assert schema_differences(schema, "town_fleet_reference", structure_only=True) == {}


def test_a_town_behind_in_several_apps_is_brought_level_by_sql(schema_template):
    """The index trim: four apps' migrations pending at once, none depending on the first. Django's
    own collect_sql built the state from the first migration's dependencies only and failed on the
    others' models (KeyError ('correspondence', 'approvalstep')) at the 7,850-town deploy."""
    town = live_town()
    schema = town.schema_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {schema}.django_migrations WHERE (app, name) IN ("  # noqa: S608
            "('common', '0007_drop_unused_pattern_indexes'), "
            "('complaints', '0008_alter_categoryattribute_category_and_more'), "
            "('correspondence', '0007_alter_approvalstep_letter'), "
            "('payments', '0007_alter_feetier_fee_type_alter_invoice_payer_and_more'))"
        )
        # What a town made before the trim still has: a _like twin and a foreign key's own index.
        cursor.execute(
            f"CREATE INDEX payments_invoice_number_d5fb5adc_like ON {schema}.payments_invoice (number varchar_pattern_ops)"
        )
        cursor.execute(
            f"CREATE INDEX correspondence_approvalstep_letter_id_c5f796b0 ON {schema}.correspondence_approvalstep (letter_id)"
        )
        # The test's own transaction made the town's rows: fire their deferred foreign-key checks now,
        # or PostgreSQL refuses the ALTER TABLEs (a deploy's transaction holds only the DDL).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    report = migrate_fleet(jobs=1, skip_public=True)

    assert report.migrated_by_sql == 1 and report.migrated_by_django == 0
    assert not report.failed
    assert history_digests([schema])[schema] == expected_digest()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = %s AND indexname IN "
            "('payments_invoice_number_d5fb5adc_like', 'correspondence_approvalstep_letter_id_c5f796b0')",
            [schema],
        )
        assert cursor.fetchall() == []
    templates.create_town_schema("town_fleet_reference")
    assert schema_differences(schema, "town_fleet_reference", structure_only=True) == {}


def test_a_town_behind_on_a_non_ddl_migration_is_migrated_by_django(schema_template, monkeypatch):
    from onboarding import fleet

    town = live_town()
    unapply_a_leaf_migration(town.schema_name)
    # As if that migration were RunPython: it cannot be replayed as collected SQL.
    monkeypatch.setattr(fleet, "SQL_SAFE_OPERATIONS", ())

    report = migrate_fleet(jobs=1, skip_public=True)

    assert report.migrated_by_django == 1
    assert not report.failed
    assert history_digests([town.schema_name])[town.schema_name] == expected_digest()


def test_a_plan_whose_sql_cannot_be_collected_is_migrated_by_django(schema_template, monkeypatch):
    from onboarding import fleet

    def broken(executor, plan):
        raise KeyError(("correspondence", "approvalstep"))

    town = live_town()
    unapply_a_leaf_migration(town.schema_name)
    monkeypatch.setattr(fleet, "_collect_sql", broken)

    report = migrate_fleet(jobs=1, skip_public=True)

    assert report.migrated_by_django == 1 and report.migrated_by_sql == 0
    assert not report.failed
    assert history_digests([town.schema_name])[town.schema_name] == expected_digest()


def test_the_deploy_command_reports_the_fleet(schema_template, capsys):
    call_command("migrate_fleet", "--jobs", "1", "--skip-public")
    assert "up to date" in capsys.readouterr().out


def test_a_registered_town_without_a_schema_yet_does_not_fail_the_deploy(schema_template):
    register_town(spec=make_spec())  # status draft: its schema comes later, from the template
    report = migrate_fleet(jobs=1, skip_public=True)
    assert not report.failed
    assert report.towns == report.up_to_date
