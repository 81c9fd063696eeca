"""Behind PgBouncer in transaction mode: every statement runs in the schema of the request that
sent it, whichever server connection PgBouncer lends it, and a PgBouncer restart mid-request is a
retryable 503 — never a page answered from another town's schema.

PgBouncer here has ONE server connection, so two towns' clients always share it: the hazard the
backend removes (a session `SET search_path` left on the server connection by one client and
used by the next) happens on every switch. The control test shows it does with the stock setting.
"""

from __future__ import annotations

import os

import pytest
from django.db import OperationalError, close_old_connections, connections, transaction
from django.test import Client

from tests.pgbouncer import LocalPgBouncer, binary

pytestmark = pytest.mark.skipif(binary() is None, reason="pgbouncer is not installed (.ci/apt.d/pgbouncer.txt)")


@pytest.fixture
def bouncer(django_db_setup):
    db = connections["default"].settings_dict
    host, port = db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)
    if os.environ.get("THONGTHIN_TEST_PG_DIRECT"):  # the PgBouncer job: the tests already go through one
        host, _colon, direct_port = os.environ["THONGTHIN_TEST_PG_DIRECT"].partition(":")
        port = int(direct_port or 5432)
    instance = LocalPgBouncer(host, port, user=db["USER"], pool_size=1)
    instance.start()
    yield instance
    instance.stop()


def through(bouncer: LocalPgBouncer, *, pooling: bool = True, alias: str = "via_pgbouncer"):
    """A database connection (our backend) that reaches the test database through `bouncer`."""
    base = connections["default"]
    settings = {
        **base.settings_dict,
        "HOST": "127.0.0.1",
        "PORT": str(bouncer.port),
        "OPTIONS": {},
        "TRANSACTION_POOLING": pooling,
    }
    return base.__class__(settings, alias=alias)


def answering_schema(wrapper) -> str:
    """The schema whose django_migrations an unqualified name resolves to (what a query reads)."""
    with wrapper.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.oid = 'django_migrations'::regclass"
        )
        return cursor.fetchone()[0]


def test_two_towns_sharing_one_server_connection_each_read_their_own_schema(bouncer, django_db_blocker):
    with django_db_blocker.unblock():
        a, b = through(bouncer, alias="pgb_a"), through(bouncer, alias="pgb_b")
        try:
            a.set_schema("town_alpha")
            b.set_schema("town_beta")
            for _ in range(10):
                assert answering_schema(a) == "town_alpha"
                assert answering_schema(b) == "town_beta"
            # Inside transactions too (one after the other: there is one server connection),
            # including a savepoint, a server-side cursor and executemany.
            connections["pgb_a"], connections["pgb_b"] = a, b
            with transaction.atomic(using="pgb_b"), transaction.atomic(using="pgb_b"):
                assert answering_schema(b) == "town_beta"
            with transaction.atomic(using="pgb_a"):
                assert answering_schema(a) == "town_alpha"
                chunked = a.chunked_cursor()
                chunked.execute("SELECT current_setting('search_path') FROM generate_series(1, 3)")
                assert {row[0].replace('"', "") for row in chunked.fetchall()} == {"town_alpha, public"}
                chunked.close()
                with a.cursor() as cursor:
                    cursor.executemany("SELECT %s, current_setting('search_path')", [(1,), (2,)])
            # Outside a transaction a "server-side" cursor is a client-side one (nothing outlives
            # its transaction), and it still reads its own schema.
            chunked = b.chunked_cursor()
            chunked.execute("SELECT current_setting('search_path')")
            assert chunked.fetchone()[0].replace('"', "") == "town_beta, public"
            chunked.close()
            # Nothing is left on the server connection for the next client.
            with a.cursor() as cursor:
                cursor.connection.execute("SELECT 1")
                assert cursor.connection.execute("SHOW search_path").fetchone()[0] == '"$user", public'
        finally:
            for alias in ("pgb_a", "pgb_b"):
                if hasattr(connections._connections, alias):
                    del connections[alias]
            a.close()
            b.close()


def test_control_the_stock_session_search_path_leaks_between_towns(bouncer, django_db_blocker):
    """The same interleaving with session-level SET (django-tenants' own way): the second town's
    path is left on the shared server connection and the first town's next statement reads the
    second town's schema. This is why transaction pooling needs the backend's per-statement path."""
    with django_db_blocker.unblock():
        a, b = through(bouncer, pooling=False, alias="pgb_a"), through(bouncer, pooling=False, alias="pgb_b")
        try:
            a.set_schema("town_alpha")
            b.set_schema("town_beta")
            assert answering_schema(a) == "town_alpha"
            assert answering_schema(b) == "town_beta"
            assert answering_schema(a) == "town_beta"  # answered from the other town
        finally:
            a.close()
            b.close()


class _RestartOnQuery:
    """execute_wrapper: restart PgBouncer (SIGKILL + start) just before the n-th statement."""

    def __init__(self, bouncer: LocalPgBouncer, at: int) -> None:
        self.bouncer, self.at, self.seen, self.armed = bouncer, at, 0, False

    def __call__(self, execute, sql, params, many, context):
        if self.armed:
            self.seen += 1
            if self.seen == self.at:
                self.armed = False
                self.bouncer.restart(hard=True)
        return execute(sql, params, many, context)


def test_a_pgbouncer_restart_mid_request_is_a_retryable_503_never_another_towns_page(
    bouncer, django_db_blocker
):
    original = connections["default"]
    with django_db_blocker.unblock():
        wrapper = through(bouncer, alias="default")
        restart = _RestartOnQuery(bouncer, at=1)
        connections["default"] = wrapper
        try:
            with wrapper.execute_wrapper(restart):
                alpha = Client(HTTP_HOST="alpha.localhost", raise_request_exception=False)
                beta = Client(HTTP_HOST="beta.localhost", raise_request_exception=False)
                page = "/complaints/new/"  # reads the town's categories: queries on every visit
                assert "เทศบาลตำบลอัลฟา" in alpha.get(page).content.decode()
                assert "เทศบาลตำบลเบตา" in beta.get(page).content.decode()

                restart.armed, restart.seen = True, 0
                failed = alpha.get(page)
                assert restart.seen >= 1 and not restart.armed  # PgBouncer restarted mid-request
                assert failed.status_code == 503
                assert failed["Retry-After"] == "5"
                assert "ลองใหม่" in failed.content.decode() and "try again" in failed.content.decode()
                assert "เทศบาลตำบลเบตา" not in failed.content.decode()

                # What the WSGI handler does after every response (request_finished; the test
                # client disconnects it): a connection that raised a database error is closed.
                close_old_connections()
                # The next requests reconnect and each is answered from its own town.
                for _ in range(3):
                    page_b = beta.get(page).content.decode()
                    assert "เทศบาลตำบลเบตา" in page_b and "เทศบาลตำบลอัลฟา" not in page_b
                    page_a = alpha.get(page).content.decode()
                    assert "เทศบาลตำบลอัลฟา" in page_a and "เทศบาลตำบลเบตา" not in page_a
        finally:
            connections["default"] = original
            wrapper.close()


def test_the_error_raised_when_pgbouncer_goes_away_is_an_operational_error(bouncer, django_db_blocker):
    """What the 503 keys on: Django's OperationalError (retryable), raised for the lost connection."""
    with django_db_blocker.unblock():
        wrapper = through(bouncer)
        try:
            wrapper.set_schema("town_alpha")
            assert answering_schema(wrapper) == "town_alpha"
            bouncer.restart(hard=True)
            with pytest.raises(OperationalError):
                answering_schema(wrapper)
        finally:
            wrapper.close()
