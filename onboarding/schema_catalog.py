"""A comparable description of one schema, read from the PostgreSQL catalog.

Used to prove that a schema made from the template equals one made by migrations: tables,
columns, indexes, constraints, sequences, functions, triggers, the migration history and the seeded
content types, role groups and their permissions. Schema names are replaced by a placeholder so
two schemas compare equal when only their names differ.
"""

from __future__ import annotations

import re

from django.db import connection


def _normalise(text: str | None, schema: str) -> str | None:
    if text is None:
        return None
    return re.sub(rf'(?<![\w$])"?{re.escape(schema)}"?(?![\w$])', "<schema>", text)


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def describe_schema(schema: str) -> dict[str, object]:
    """Everything that makes two town schemas the same, keyed by kind of object."""
    n = lambda value: _normalise(value, schema)  # noqa: E731
    tables = _rows(
        "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace "
        "WHERE ns.nspname = %s AND c.relkind IN ('r', 'p', 'v', 'm') ORDER BY 1",
        [schema],
    )
    columns = _rows(
        # Column order, not attnum: a migrated table keeps holes where columns were dropped.
        "SELECT c.relname, a.attname, row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum), "
        "       format_type(a.atttypid, a.atttypmod), a.attnotnull, "
        "       pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated, "
        "       a.attcollation::regcollation::text "
        "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
        "JOIN pg_namespace ns ON ns.oid = c.relnamespace "
        "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
        "WHERE ns.nspname = %s AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped "
        "ORDER BY 1, 3",
        [schema],
    )
    indexes = _rows(
        "SELECT indexname, tablename, indexdef FROM pg_indexes WHERE schemaname = %s ORDER BY 1",
        [schema],
    )
    constraints = _rows(
        "SELECT c.relname, con.conname, con.contype, pg_get_constraintdef(con.oid), con.condeferrable, "
        "       con.condeferred "
        "FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid "
        "JOIN pg_namespace ns ON ns.oid = c.relnamespace "
        "WHERE ns.nspname = %s ORDER BY 1, 2",
        [schema],
    )
    sequences = _rows(
        "SELECT s.sequencename, s.data_type::text, s.start_value, s.increment_by, s.min_value, s.max_value, "
        "       s.cycle, s.cache_size, s.last_value "
        "FROM pg_sequences s WHERE s.schemaname = %s ORDER BY 1",
        [schema],
    )
    sequence_owners = _rows(
        "SELECT seq.relname, tab.relname, a.attname FROM pg_depend d "
        "JOIN pg_class seq ON seq.oid = d.objid AND seq.relkind = 'S' "
        "JOIN pg_namespace ns ON ns.oid = seq.relnamespace "
        "JOIN pg_class tab ON tab.oid = d.refobjid "
        "JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid "
        "WHERE ns.nspname = %s AND d.deptype IN ('a', 'i') ORDER BY 1",
        [schema],
    )
    functions = _rows(
        "SELECT p.proname, pg_get_function_identity_arguments(p.oid), pg_get_functiondef(p.oid) "
        "FROM pg_proc p JOIN pg_namespace ns ON ns.oid = p.pronamespace WHERE ns.nspname = %s ORDER BY 1, 2",
        [schema],
    )
    triggers = _rows(
        "SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid), fn_ns.nspname = ns.nspname "
        "FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_namespace ns ON ns.oid = c.relnamespace "
        "JOIN pg_proc fn ON fn.oid = t.tgfoid JOIN pg_namespace fn_ns ON fn_ns.oid = fn.pronamespace "
        "WHERE ns.nspname = %s AND NOT t.tgisinternal ORDER BY 1, 2",
        [schema],
    )
    q = f'"{schema}"'
    migrations = _rows(f"SELECT app, name FROM {q}.django_migrations ORDER BY 1, 2", [])  # noqa: S608
    content_types = _rows(f"SELECT app_label, model FROM {q}.django_content_type ORDER BY 1, 2", [])  # noqa: S608
    permissions = _rows(
        f"SELECT ct.app_label, p.codename, p.name FROM {q}.auth_permission p "  # noqa: S608
        f"JOIN {q}.django_content_type ct ON ct.id = p.content_type_id ORDER BY 1, 2",
        [],
    )
    group_permissions = _rows(
        f"SELECT g.name, ct.app_label, p.codename FROM {q}.auth_group g "  # noqa: S608
        f"LEFT JOIN {q}.auth_group_permissions gp ON gp.group_id = g.id "
        f"LEFT JOIN {q}.auth_permission p ON p.id = gp.permission_id "
        f"LEFT JOIN {q}.django_content_type ct ON ct.id = p.content_type_id ORDER BY 1, 2, 3",
        [],
    )
    return {
        "tables": tables,
        "columns": [(*row[:5], n(row[5]), *row[6:]) for row in columns],
        "indexes": [(name, table, n(definition)) for name, table, definition in indexes],
        "constraints": [(*row[:3], n(row[3]), *row[4:]) for row in constraints],
        "sequences": sequences,
        "sequence_owners": sequence_owners,
        "functions": [(name, args, n(body)) for name, args, body in functions],
        "triggers": [
            (table, name, n(definition), same_schema) for table, name, definition, same_schema in triggers
        ],
        "migrations": migrations,
        "content_types": content_types,
        "permissions": permissions,
        "group_permissions": group_permissions,
    }


def schema_differences(left: str, right: str, *, structure_only: bool = False) -> dict[str, dict[str, list]]:
    """Per kind of object: what only `left` has and what only `right` has (empty when equal).

    structure_only ignores sequence positions, which differ once a town has data of its own."""
    a, b = describe_schema(left), describe_schema(right)
    if structure_only:
        for described in (a, b):
            described["sequences"] = [row[:-1] for row in described["sequences"]]
    differences = {}
    for kind in a:
        only_left = [row for row in a[kind] if row not in b[kind]]
        only_right = [row for row in b[kind] if row not in a[kind]]
        if only_left or only_right or a[kind] != b[kind]:
            differences[kind] = {"only_" + left: only_left, "only_" + right: only_right}
    return differences
