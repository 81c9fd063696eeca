"""Schema changes: Django's PostgreSQL schema editor, without the `_like` index twins nobody queries.

For every indexed or unique varchar/text column Django adds a second index with the
`varchar_pattern_ops` operator class, so that `LIKE 'abc%'` (`__startswith`) can use an index
outside the C locale. Each costs at least one 8 KB page and its catalog rows in *every* town
schema, and only a handful of lookups here are prefix searches: at 7,850 towns the unused twins
were ~50 indexes a town, close to a tenth of its disk (docs/benchmarks.md, The whole country).

So the twin is made only for the columns listed in PREFIX_SEARCHED. A new `__startswith` lookup on
another column fails tests/architecture/test_indexes.py until its column is added here (and a
migration then creates its index: see services/common/migrations/0007 for the drop).
"""

from __future__ import annotations

from django.db.backends.postgresql.schema import DatabaseSchemaEditor as PostgresSchemaEditor

# (table, column) pairs that `__startswith` lookups search by prefix.
PREFIX_SEARCHED: frozenset[tuple[str, str]] = frozenset(
    {
        ("common_outboxmessage", "idempotency_key"),  # a complaint's messages: "oss:<pk>:…"
        ("tenants_municipality", "lao_code"),  # the platform's town search by LAO code prefix
        ("accounts_user", "username"),  # the demo history finds its own accounts by prefix
    }
)


class DatabaseSchemaEditor(PostgresSchemaEditor):
    def _create_like_index_sql(self, model, field):
        if (model._meta.db_table, field.column) not in PREFIX_SEARCHED:
            return None
        return super()._create_like_index_sql(model, field)
