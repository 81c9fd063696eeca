"""Re-seal every stored secret, in the public schema and every town's, with the newest data key."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django_tenants.utils import get_tenant_model, schema_context

from services.common import secret_box


def _apps_in(schema_is_public: bool) -> set[str]:
    return set(settings.SHARED_APPS if schema_is_public else settings.TENANT_APPS)


def rotate_schema(schema: str, *, public: bool) -> tuple[int, int]:
    """(values re-sealed, values no key opens) in one schema, in one transaction."""
    resealed = unreadable = 0
    apps_here = _apps_in(public)
    with schema_context(schema), transaction.atomic():
        for model, names in secret_box.encrypted_fields():
            if model._meta.app_config.name not in apps_here:
                continue
            with connection.cursor() as cursor:  # a town still being provisioned may lack the table
                cursor.execute("SELECT to_regclass(%s)", [model._meta.db_table])
                if cursor.fetchone()[0] is None:
                    continue
            table = connection.ops.quote_name(model._meta.db_table)
            pk = connection.ops.quote_name(model._meta.pk.column)
            for name in names:
                column = connection.ops.quote_name(model._meta.get_field(name).column)
                with connection.cursor() as cursor:
                    # Raw SQL: the sealed text is rotated as it is, without the model's save(),
                    # signals or audit entries (the plaintext never leaves this function).
                    cursor.execute(f"SELECT {pk}, {column} FROM {table} WHERE {column} <> '' FOR UPDATE")  # noqa: S608
                    rows = cursor.fetchall()
                    for row_pk, token in rows:
                        try:
                            fresh = secret_box.reseal(token)
                        except secret_box.SealBroken:
                            unreadable += 1
                            continue
                        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE {pk} = %s", [fresh, row_pk])  # noqa: S608
                        resealed += 1
    return resealed, unreadable


class Command(BaseCommand):
    help = "Re-seal stored secrets with the newest key of THONGTHIN_DATA_KEYS (public and every town)."

    def handle(self, *args, **options):
        secret_box.reset_keys_cache()
        schemas = [("public", True)]
        schemas += [(name, False) for name in
                    get_tenant_model().objects.exclude(schema_name="public").order_by("schema_name")
                    .values_list("schema_name", flat=True)]
        total = broken = 0
        for schema, public in schemas:
            resealed, unreadable = rotate_schema(schema, public=public)
            total += resealed
            broken += unreadable
            if resealed or unreadable:
                self.stdout.write(f"{schema}: {resealed} re-sealed, {unreadable} unreadable")
        self.stdout.write(self.style.SUCCESS(f"{total} value(s) re-sealed with the newest key in {len(schemas)} schema(s)"))
        if broken:
            raise CommandError(f"{broken} value(s) open with none of the configured keys: keep the old key until they are re-entered")
