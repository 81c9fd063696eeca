"""Set columns of many rows in one statement: UPDATE … FROM unnest(arrays).

Django's bulk_update builds a CASE WHEN per row, which PostgreSQL evaluates per row — quadratic:
11 s for 5,000 invoices in the reconciliation benchmark. This helper sends one array per column.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection, models

SQL_TYPES = {
    "AutoField": "integer",
    "BigAutoField": "bigint",
    "ForeignKey": "bigint",
    "OneToOneField": "bigint",
    "CharField": "text",
    "TextField": "text",
    "DecimalField": "numeric",
    "DateTimeField": "timestamptz",
    "DateField": "date",
    "BooleanField": "boolean",
    "PositiveIntegerField": "integer",
}


def update_columns(objects: Iterable[models.Model], fields: Sequence[str], *, chunk: int = 20000) -> int:
    """Write `fields` of each object (already set in memory) to the database; returns rows updated."""
    objects = list(objects)
    if not objects:
        return 0
    model = type(objects[0])
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    pk_type = SQL_TYPES[meta.pk.get_internal_type()]
    assignments = ", ".join(f'"{f.column}" = v."{f.column}"' for f in columns)
    unnests = ", ".join(
        [f"unnest(%s::{pk_type}[]) AS pk"]
        + [f'unnest(%s::{SQL_TYPES[f.get_internal_type()]}[]) AS "{f.column}"' for f in columns]
    )
    sql = (
        f'UPDATE "{meta.db_table}" AS t SET {assignments} '  # noqa: S608 (names come from the model)
        f'FROM (SELECT {unnests}) AS v WHERE t."{meta.pk.column}" = v.pk'
    )
    updated = 0
    with connection.cursor() as cursor:
        for start in range(0, len(objects), chunk):
            batch = objects[start : start + chunk]
            params = [[obj.pk for obj in batch]] + [
                [getattr(obj, f.attname) for obj in batch] for f in columns
            ]
            cursor.execute(sql, params)
            updated += cursor.rowcount
    return updated


def copy_insert(objects: Iterable[models.Model], *, now=None) -> list[models.Model]:
    """Insert many new rows with COPY, ids taken from the table's sequence first (so FKs can point at them).

    Skips Django's per-value preparation and the INSERT parser: ~5× faster than bulk_create for the
    100,000-line reconciliation. auto_now/auto_now_add fields left empty get `now`; no signals are
    sent (the same as bulk_create).
    """
    from django.utils import timezone
    from psycopg.types.json import Jsonb

    objects = list(objects)
    if not objects:
        return objects
    model = type(objects[0])
    meta = model._meta
    now = now or timezone.now()
    fields = list(meta.concrete_fields)
    stamped = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objects)],
        )
        for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
            obj.pk = pk
            for field in stamped:
                if getattr(obj, field.attname) is None:
                    setattr(obj, field.attname, now)
            obj._state.adding = False
            obj._state.db = connection.alias
        columns = ", ".join(f'"{f.column}"' for f in fields)
        names = [f.attname for f in fields]
        with cursor.cursor.copy(f'COPY "{meta.db_table}" ({columns}) FROM STDIN') as copy:
            for obj in objects:
                copy.write_row(
                    [
                        Jsonb(getattr(obj, name)) if name in json_fields else getattr(obj, name)
                        for name in names
                    ]
                )
    return objects
