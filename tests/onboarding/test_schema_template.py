"""A town schema made from the captured template equals one made by running every migration."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django_tenants.utils import schema_context

from onboarding import schema_template as templates
from onboarding.models import SchemaTemplate
from onboarding.schema_catalog import describe_schema, schema_differences
from tests.onboarding.conftest import unapply_a_leaf_migration

pytestmark = pytest.mark.django_db


def _drop(*schemas: str) -> None:
    """Schemas made in a test vanish with its rolled-back transaction; just leave the town."""
    connection.set_schema_to_public()


def test_replayed_schema_equals_a_migrated_one(schema_template):
    assert schema_template.table_count > 10
    try:
        assert templates.create_town_schema("town_equal_replay") == "template"
        templates.migrate_schema("town_equal_migrated")

        assert schema_differences("town_equal_replay", "town_equal_migrated") == {}
        described = describe_schema("town_equal_replay")
        # The comparison really covers every kind of object (two empty lists would compare equal).
        for kind in (
            "tables",
            "columns",
            "indexes",
            "constraints",
            "sequences",
            "functions",
            "triggers",
            "migrations",
            "content_types",
            "permissions",
            "group_permissions",
        ):
            assert described[kind], kind
        assert {name for name, *_ in described["group_permissions"]} >= {
            "town_admin",
            "officer",
            "oss_officer",
        }
        assert ("town_admin", "accounts", "manage_staff") in described["group_permissions"]
        # The audit trigger calls the function in the town's own schema, not the template's.
        assert all(same_schema for *_, same_schema in described["triggers"])
        assert set(described["migrations"]) == set(templates.expected_tenant_migrations())
    finally:
        _drop("town_equal_replay", "town_equal_migrated")


def test_the_comparison_notices_a_missing_index(schema_template):
    try:
        templates.create_town_schema("town_cmp_a")
        templates.create_town_schema("town_cmp_b")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE schemaname = 'town_cmp_b' "
                "AND indexname NOT LIKE '%%pkey' "
                "AND indexname NOT LIKE '%%key' ORDER BY 1 LIMIT 1"
            )
            index = cursor.fetchone()[0]
            cursor.execute(f'DROP INDEX "town_cmp_b"."{index}"')
        differences = schema_differences("town_cmp_a", "town_cmp_b")
        assert list(differences) == ["indexes"]
        assert [row[0] for row in differences["indexes"]["only_town_cmp_a"]] == [index]
    finally:
        _drop("town_cmp_a", "town_cmp_b")


def test_audit_trail_stays_append_only_in_a_replayed_schema(schema_template):
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    try:
        templates.create_town_schema("town_audit_check")
        with schema_context("town_audit_check"):
            entry = LogEntry.objects.create(
                content_type=ContentType.objects.get_for_model(LogEntry),
                object_pk="1",
                object_repr="x",
                action=0,
            )
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                LogEntry.objects.filter(pk=entry.pk).update(object_repr="tampered")
    finally:
        _drop("town_audit_check")


def test_a_stale_template_is_refused_and_migrations_take_over(schema_template):
    SchemaTemplate.objects.filter(pk=schema_template.pk).update(fingerprint="0" * 64)
    stale = SchemaTemplate.objects.get(pk=schema_template.pk)
    try:
        with pytest.raises(templates.StaleTemplate):
            templates.current_template()
        with pytest.raises(templates.StaleTemplate):
            templates.replay_template("town_stale", stale)
        with pytest.raises(templates.StaleTemplate):
            templates.create_town_schema("town_stale", allow_fallback=False)
        assert templates.create_town_schema("town_stale") == "migrations"
        assert templates.is_fully_migrated("town_stale")
    finally:
        _drop("town_stale")


def test_creating_a_complete_schema_again_changes_nothing(schema_template):
    try:
        assert templates.create_town_schema("town_twice") == "template"
        before = describe_schema("town_twice")
        assert templates.create_town_schema("town_twice") == "existing"
        assert describe_schema("town_twice") == before
    finally:
        _drop("town_twice")


def test_a_half_migrated_schema_is_finished_by_migrations(schema_template):
    try:
        templates.create_town_schema("town_half")
        app, name = unapply_a_leaf_migration("town_half")  # as if the worker died before it
        assert not templates.is_fully_migrated("town_half")
        assert templates.create_town_schema("town_half") == "migrations"
        assert templates.is_fully_migrated("town_half")
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM town_half.django_migrations WHERE app = %s AND name = %s", [app, name])
            assert cursor.fetchone() is not None
    finally:
        _drop("town_half")


def test_the_replay_script_names_no_schema():
    dump = (
        "CREATE TABLE thongthin_template.a (id integer);\n"
        "SELECT pg_catalog.setval('thongthin_template.a_id_seq', 3, true);\n"
        "SET statement_timeout = 0;\n"
        "\\restrict abc"
    )
    script = templates.to_replay_script(dump, "thongthin_template")
    assert "thongthin_template" not in script
    assert "statement_timeout" not in script
    assert "restrict" not in script
    assert script.count(templates.PLACEHOLDER) == 2


def test_a_pooled_schema_is_claimed_by_renaming_and_equals_a_migrated_one(schema_template):
    from onboarding.models import ReadySchema

    assert templates.refill_pool(2) == 2
    pooled = set(ReadySchema.objects.values_list("schema_name", flat=True))
    assert templates.create_town_schema("town_from_pool") == "pool"
    assert ReadySchema.objects.count() == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s)", [list(pooled)])
        assert len(cursor.fetchall()) == 1  # the claimed one was renamed away
    templates.migrate_schema("town_pool_reference")
    assert schema_differences("town_from_pool", "town_pool_reference") == {}


def test_pooled_schemas_of_other_code_are_never_claimed(schema_template):
    from onboarding.models import ReadySchema

    templates.refill_pool(1)
    ReadySchema.objects.update(fingerprint="f" * 64)
    assert not templates.claim_ready_schema("town_not_from_pool")
    assert templates.refill_pool(1) == 1  # the stale one is dropped and replaced
    assert ReadySchema.objects.exclude(fingerprint="f" * 64).count() == 1
    assert not ReadySchema.objects.filter(fingerprint="f" * 64).exists()


def test_the_pool_task_keeps_the_pool_full(schema_template, settings):
    from onboarding.models import ReadySchema
    from onboarding.tasks import refill_ready_pool

    settings.ONBOARDING_POOL_SIZE = 2
    assert refill_ready_pool() == 2
    assert refill_ready_pool() == 0
    assert ReadySchema.objects.count() == 2
