"""Test set-up: one test database per xdist worker, with two town schemas made once per session.

Each test runs in a transaction rolled back at its end (pytest-django's `db`), so the towns are
shared and cheap. Tests that need a real Celery worker commit their rows and clean up after.
"""

from __future__ import annotations

import os

import pytest
from django.db import connection
from django.test import Client

from tests.clients import SchemaKeepingClient
from tests.factories import TOWN_SPECS, make_town


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_modify_db_settings, django_db_blocker):
    """Create the test database (always: tests that use a live worker need it without `db`),
    migrate the public schema, and create the two test towns (schemas + roles)."""
    from django.core.cache import cache
    from django.test.utils import setup_databases, teardown_databases

    # The cache may be the machine's Redis (each test process its own database): counts an earlier
    # run left there, such as a test IP's filings this hour, would refuse this run's requests.
    cache.clear()
    with django_db_blocker.unblock():
        config = setup_databases(verbosity=0, interactive=False, aliases={"default"}, serialized_aliases=set())
        for spec in TOWN_SPECS:
            make_town(**spec)
    yield
    with django_db_blocker.unblock():
        _release_pgbouncer_servers()
        teardown_databases(config, verbosity=0)


def _release_pgbouncer_servers() -> None:
    """Behind PgBouncer (the PgBouncer CI job) its idle server connections to the test database
    would make DROP DATABASE fail: drop them through its admin console first."""
    from django.db import connections

    db = connections["default"].settings_dict
    if not db.get("TRANSACTION_POOLING"):
        return
    import psycopg

    connections.close_all()
    with psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 6432, user=db["USER"],
                         dbname="pgbouncer", autocommit=True) as admin:
        admin.execute(f'KILL "{db["NAME"]}"', prepare=False)


@pytest.fixture(autouse=True)
def _fresh_routing_cache():
    from django.utils import translation

    from tenants.directory import directory

    directory.clear_local()
    yield
    directory.clear_local()
    connection.set_schema_to_public()
    # A request with the English cookie leaves English active in this thread: back to Thai.
    translation.activate("th")


@pytest.fixture
def town_a(db):
    from tenants.models import Municipality

    return Municipality.objects.get(slug="alpha")


@pytest.fixture
def town_b(db):
    from tenants.models import Municipality

    return Municipality.objects.get(slug="beta")


@pytest.fixture
def in_town_a(town_a):
    connection.set_tenant(town_a)
    yield town_a
    connection.set_schema_to_public()


@pytest.fixture
def in_town_b(town_b):
    connection.set_tenant(town_b)
    yield town_b
    connection.set_schema_to_public()


@pytest.fixture
def client_a(town_a) -> Client:
    return SchemaKeepingClient("alpha.localhost")


@pytest.fixture
def client_b(town_b) -> Client:
    return SchemaKeepingClient("beta.localhost")


@pytest.fixture
def platform_client(db) -> Client:
    return SchemaKeepingClient("localhost")


class LiveWorker:
    """A real `celery worker` process on the test database and the configured broker."""

    def __init__(self, queue: str, env: dict) -> None:
        self.queue = queue
        self.env = env
        self.proc = None

    def start(self) -> LiveWorker:
        import subprocess
        import sys
        import time

        from django.conf import settings

        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=WARNING",
             "-Q", self.queue, "--hostname", f"{self.queue}@%h", "--without-gossip", "--without-mingle",
             "--without-heartbeat"],
            cwd=str(settings.BASE_DIR), env=self.env,
        )
        time.sleep(0.5)
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except Exception:
                self.proc.kill()

    def kill(self) -> None:
        """SIGKILL, as when a machine dies: no cleanup, unacknowledged tasks stay on the broker."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


@pytest.fixture
def live_worker(django_db_setup, django_db_blocker):
    """Start a real Celery worker that consumes a queue private to this test.

    Tasks sent from the test process go to this process's own queue (CELERY_TASK_DEFAULT_QUEUE). Data the worker must see has to be committed: use `django_db_blocker.unblock()` or
    `transactional_db`-free helpers and clean up, since the worker has its own connection.
    """
    from django.conf import settings
    from django.db import connections

    db = connections["default"].settings_dict
    host = db["HOST"]
    url = f"postgresql://{db['USER']}:{db['PASSWORD']}@/{db['NAME']}?host={host}" if host.startswith("/") else (
        f"postgresql://{db['USER']}:{db['PASSWORD']}@{host or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    base = str(settings.BASE_DIR)
    env = {**os.environ, "DATABASE_URL": url, "THONGTHIN_TESTING": "1", "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
           "CELERY_TASK_DEFAULT_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
           "PYTHONPATH": os.pathsep.join([base, os.path.join(base, "platform")])}
    worker = LiveWorker(queue, env)
    try:
        yield worker
    finally:
        worker.stop()
