"""Gapless numbers: distinct and without holes under concurrency, given back on rollback."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction
from django_tenants.utils import schema_context

from services.common.models import NumberSeries
from services.common.numbering import NumberingOutsideTransaction, next_number


def test_numbers_run_per_series_and_period(in_town_a):
    with transaction.atomic():
        assert [next_number("receipt", 2570) for _ in range(3)] == [1, 2, 3]
        assert next_number("receipt", 2571) == 1
        assert next_number("permit", 2570) == 1


def test_a_rolled_back_transaction_gives_its_number_back(in_town_a):
    with transaction.atomic():
        assert next_number("letter", 2569) == 1
    try:
        with transaction.atomic():
            assert next_number("letter", 2569) == 2
            raise RuntimeError("payment failed")
    except RuntimeError:
        pass
    with transaction.atomic():
        assert next_number("letter", 2569) == 2


def test_numbering_outside_a_transaction_is_refused(django_db_setup, django_db_blocker):
    # Outside `db` (which wraps each test in a transaction) the connection is in autocommit.
    with django_db_blocker.unblock(), schema_context("town_alpha"), pytest.raises(NumberingOutsideTransaction):
        next_number("receipt", 2570)


def test_concurrent_callers_get_distinct_gapless_numbers(django_db_blocker, django_db_setup):
    from tenants.models import Municipality

    with django_db_blocker.unblock():
        town = Municipality.objects.get(slug="alpha")
        taken: list[int] = []
        lock = threading.Lock()
        start = threading.Barrier(8)

        def worker():
            try:
                connection.set_tenant(town)
                start.wait()
                for _ in range(10):
                    with transaction.atomic():
                        number = next_number("concurrency-test", 2570)
                    with lock:
                        taken.append(number)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=worker) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        try:
            assert sorted(taken) == list(range(1, 81))
        finally:
            with schema_context(town.schema_name):
                NumberSeries.objects.filter(series="concurrency-test").delete()
