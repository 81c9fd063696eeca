"""The database backend: django-tenants' schema switching, plus what a country needs.

1. Transaction pooling (PgBouncer `pool_mode = transaction`), switched on by the database setting
   TRANSACTION_POOLING (env DB_TRANSACTION_POOLING=1). PostgreSQL before 18 does not report
   search_path to PgBouncer, so a session-level `SET search_path` would stay on whichever server
   connection ran it and the next transaction could run on another. Here no session state is
   used: every statement carries its own `SET LOCAL search_path` in the same simple-protocol
   message (one implicit transaction, one round trip), and statements that run through
   executemany/COPY or a server-side cursor set it first inside their own transaction.
   Server-side cursors are used inside transactions only (outside, a client-side cursor reads the
   result). Each transaction therefore runs in exactly the schema of the request or task that
   sent it, whichever server connection PgBouncer gives it.

2. A schema budget per connection (MAX_SCHEMAS_PER_CONNECTION, env DB_MAX_SCHEMAS_PER_CONNECTION):
   a PostgreSQL backend keeps catalog and relation caches for every schema it has touched
   (~0.13 MB each for small queries, ~0.9 MiB for a complaint filing), so a long-lived connection
   serving random towns of 7,850 grows without end; with the default budget of 100 a backend stayed
   under ~100 MiB (bench/country.py).
   A connection that has served more schemas than the budget is closed at the end of the request
   or task (Django's close_if_unusable_or_obsolete), which bounds every backend's private memory.

3. A schema editor that leaves out Django's `_like` index twins except on the columns searched by
   prefix (schema.py): each is a page and catalog rows in every town.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db.backends.postgresql.base import Cursor, ServerSideCursor
from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations
from django_tenants.postgresql_backend.base import DatabaseWrapper as TenantDatabaseWrapper
from django_tenants.utils import quote_schema_name
from psycopg import sql
from psycopg.pq import TransactionStatus

from .schema import DatabaseSchemaEditor

# Sent without the prefix: statements PostgreSQL refuses inside a transaction block, and
# transaction control (ROLLBACK TO SAVEPOINT must run in an aborted transaction, where the
# prefix itself would fail; none of them reads a table).
_UNPREFIXED = ("CREATE DATABASE", "DROP DATABASE", "VACUUM", "ALTER SYSTEM", "CREATE TABLESPACE",
               "DROP TABLESPACE", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "BEGIN", "START TRANSACTION")
_PREFIX_HEAD = "SET LOCAL search_path = "


def _needs_no_transaction(query) -> bool:
    if isinstance(query, bytes):
        query = query.decode("utf-8", "replace")
    if not isinstance(query, str):
        return False
    head = query.lstrip()[:24].upper()
    if head.startswith(_UNPREFIXED):
        return True
    return head.startswith(("CREATE", "DROP", "REINDEX")) and "CONCURRENTLY" in query.upper()


class _SearchPathMixin:
    """Cursor half of transaction pooling: the wrapper sets `_thongthin_db` on each cursor."""

    _thongthin_db = None

    def _search_path(self) -> str | None:
        db = self._thongthin_db
        return db.search_path_value() if db is not None and db.transaction_pooling else None

    @contextmanager
    def _own_transaction(self):
        """A transaction for statements that need their search_path set first (inside Django's
        atomic block there already is one)."""
        if self.connection.autocommit:
            with self.connection.transaction():
                yield
        else:
            yield

    def _set_local(self, path: str) -> None:
        self.connection.execute("SELECT set_config('search_path', %s, true)", [path])


class PoolSafeCursor(_SearchPathMixin, Cursor):
    def execute(self, query, params=None, **kwargs):
        path = self._search_path()
        if (
            path is None
            or _needs_no_transaction(query)
            or self.connection.info.transaction_status == TransactionStatus.INERROR
        ):
            return super().execute(query, params, **kwargs)
        prefix = f"{_PREFIX_HEAD}{path};\n"
        if isinstance(query, bytes):
            query = query.decode("utf-8")
        if isinstance(query, str):
            if params is not None:
                prefix = prefix.replace("%", "%%")
            combined = prefix + query
        else:  # a psycopg sql.Composable
            combined = sql.Composed([sql.SQL(prefix.replace("{", "{{").replace("}", "}}")), query])
        super().execute(combined, params, **kwargs)
        self.nextset()  # the statement's own result, as without the prefix
        return self

    def executemany(self, query, params_seq, **kwargs):
        path = self._search_path()
        if path is None:
            return super().executemany(query, params_seq, **kwargs)
        with self._own_transaction():
            self._set_local(path)
            return super().executemany(query, params_seq, **kwargs)

    @contextmanager
    def copy(self, statement, params=None, **kwargs):
        path = self._search_path()
        if path is None:
            with super().copy(statement, params, **kwargs) as copy:
                yield copy
            return
        with self._own_transaction():
            self._set_local(path)
            with super().copy(statement, params, **kwargs) as copy:
                yield copy


class PoolSafeServerSideCursor(_SearchPathMixin, ServerSideCursor):
    """Only ever created inside a transaction when pooling (see create_cursor)."""

    def execute(self, query, params=None, **kwargs):
        path = self._search_path()
        if path is not None:
            self._set_local(path)
        return super().execute(query, params, **kwargs)


class DatabaseOperations(PostgresOperations):
    def last_executed_query(self, cursor, sql, params):
        """The statement as the code wrote it (query logs, assertNumQueries), without the prefix."""
        query = super().last_executed_query(cursor, sql, params)
        if isinstance(query, str) and query.startswith(_PREFIX_HEAD):
            return query.split(";\n", 1)[-1]
        return query


class DatabaseWrapper(TenantDatabaseWrapper):
    ops_class = DatabaseOperations
    SchemaEditorClass = DatabaseSchemaEditor

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.transaction_pooling = bool(self.settings_dict.get("TRANSACTION_POOLING"))
        self.max_schemas_per_connection = int(self.settings_dict.get("MAX_SCHEMAS_PER_CONNECTION") or 0)
        self._search_path_cache: tuple[tuple, str] | None = None

    # --- transaction pooling ------------------------------------------------------------------

    def get_connection_params(self):
        params = super().get_connection_params()
        if params.get("cursor_factory") is Cursor:
            params["cursor_factory"] = PoolSafeCursor
        return params

    def search_path_value(self) -> str:
        key = (self.schema_name, self.include_public_schema)
        if self._search_path_cache is None or self._search_path_cache[0] != key:
            value = ", ".join(quote_schema_name(s) for s in self._get_cursor_search_paths())
            self._search_path_cache = (key, value)
        return self._search_path_cache[1]

    def _handle_search_path(self, cursor=None):
        if self.transaction_pooling:
            return  # each statement sets its own (PoolSafeCursor); no session state
        super()._handle_search_path(cursor)

    def create_cursor(self, name=None):
        if name and self.transaction_pooling:
            if self.connection.autocommit:
                # A WITH HOLD cursor outlives its transaction, i.e. its server connection.
                name = None
            else:
                cursor = PoolSafeServerSideCursor(self.connection, name=name, scrollable=False, withhold=False)
                cursor._thongthin_db = self
                return cursor
        cursor = super().create_cursor(name)
        if isinstance(cursor, _SearchPathMixin):
            cursor._thongthin_db = self
        return cursor

    # --- schema budget ------------------------------------------------------------------------

    def _cursor(self, name=None):
        cursor = super()._cursor(name)
        if self.max_schemas_per_connection and self.connection is not None:
            seen = getattr(self.connection, "_thongthin_schemas", None)
            if seen is None:
                seen = self.connection._thongthin_schemas = set()
            seen.add(self.schema_name)
        return cursor

    def schemas_served(self) -> int:
        return len(getattr(self.connection, "_thongthin_schemas", ()) or ())

    def over_schema_budget(self) -> bool:
        return bool(self.max_schemas_per_connection) and self.schemas_served() > self.max_schemas_per_connection

    def close_if_unusable_or_obsolete(self):
        if self.connection is not None and self.over_schema_budget() and not self.in_atomic_block:
            self._retire_connection()
            return
        super().close_if_unusable_or_obsolete()

    def _retire_connection(self):
        """Close for real: a pooled connection is dropped from the pool instead of returned."""
        if self.pool is not None:
            # psycopg_pool discards a connection past its expiry when it comes back (and opens a
            # fresh one in the background); closing it first would be logged as a broken one.
            self.connection._expire_at = 0
        self.close()
