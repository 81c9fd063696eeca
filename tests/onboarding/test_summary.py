"""The national summary: each town's figures from its services' own hooks, and a roll-up that
survives a town that fails (a service raising, a schema locked by a migration, a suspension)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import psycopg
import pytest
import time_machine
from django.db import connection

from onboarding.models import PlatformMonthlySummary, TownFiguresStatus, TownMonthlyFigures
from onboarding.summary import refresh_platform_summary, refresh_town
from services.complaints.models import Category
from tenants.models import Municipality
from tests.services.complaints.conftest import file_complaint

BKK = ZoneInfo("Asia/Bangkok")
TODAY = dt.date(2025, 11, 20)


# A point inside each test town's boundary.
INSIDE = {"alpha": (Decimal("12.750000"), Decimal("100.900000")), "beta": (Decimal("12.820000"), Decimal("100.900000"))}


def _file_in(town, when: dt.datetime, count: int = 1) -> None:
    """File `count` complaints in `town` at `when` through the service's own action."""
    connection.set_tenant(town)
    category = Category.objects.get(code="road")
    latitude, longitude = INSIDE[town.slug]
    with time_machine.travel(when, tick=False):
        for _ in range(count):
            file_complaint(category, latitude=latitude, longitude=longitude)
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_town_figures_come_from_the_services_hooks(town_a):
    _file_in(town_a, dt.datetime(2025, 11, 3, 10, tzinfo=BKK), count=2)
    assert refresh_town(town_a, months=2, today=TODAY) == 2
    row = TownMonthlyFigures.objects.get(municipality=town_a, month=dt.date(2025, 11, 1))
    assert row.requests_filed == 2
    assert row.figures["complaints"]["requests_filed"] == 2
    # October had nothing at all: no row, so the dashboard says "no data" rather than 0.
    assert not TownMonthlyFigures.objects.filter(municipality=town_a, month=dt.date(2025, 10, 1)).exists()
    assert TownFiguresStatus.objects.get(municipality=town_a).is_failing is False


@pytest.mark.django_db
def test_a_service_failing_in_one_town_leaves_the_others_and_says_why(town_a, town_b):
    _file_in(town_a, dt.datetime(2025, 11, 3, 10, tzinfo=BKK))
    _file_in(town_b, dt.datetime(2025, 11, 4, 10, tzinfo=BKK), count=3)
    # A half-applied migration in alpha: the complaints table is not where the code expects it.
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER TABLE "{town_a.schema_name}".complaints_complaint RENAME TO complaints_old')

    result = refresh_platform_summary(months=2, today=TODAY)

    assert "alpha" in result["failed"] and "complaints" in result["failed"]["alpha"]
    assert "beta" in result["refreshed"]
    status = TownFiguresStatus.objects.get(municipality=town_a)
    assert status.is_failing and "complaints" in status.last_error
    november = PlatformMonthlySummary.objects.get(month=dt.date(2025, 11, 1))
    assert (november.requests_filed, november.towns_reporting) == (3, 1)
    october = PlatformMonthlySummary.objects.get(month=dt.date(2025, 10, 1))
    assert october.has_data is False


@pytest.mark.django_db
def test_a_town_suspended_during_the_run_is_skipped_with_its_reason(town_b):
    Municipality.objects.filter(pk=town_b.pk).update(status="suspended")
    assert refresh_town(town_b, months=1, today=TODAY) == 0
    assert "suspended" in TownFiguresStatus.objects.get(municipality=town_b).last_error


@pytest.mark.django_db
def test_a_schema_locked_by_a_migration_times_out_instead_of_waiting(town_a, settings):
    other = psycopg.connect(
        dbname=connection.settings_dict["NAME"],
        user=connection.settings_dict["USER"],
        host=connection.settings_dict["HOST"],
        port=connection.settings_dict["PORT"] or 5432,
    )
    try:
        other.execute(f'LOCK TABLE "{town_a.schema_name}".complaints_complaint IN ACCESS EXCLUSIVE MODE')
        assert refresh_town(town_a, months=1, today=TODAY) == 0
    finally:
        other.rollback()
        other.close()
    assert "lock" in TownFiguresStatus.objects.get(municipality=town_a).last_error.lower()
