"""The SLA clock counts office hours on working days only, with the town's own holiday calendar."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from services.complaints.models import Holiday
from services.complaints.sla import BANGKOK, WorkingCalendar, seed_holidays

pytestmark = pytest.mark.django_db


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BANGKOK)


def test_one_working_day_from_friday_afternoon_ends_monday_afternoon(in_town_a):
    calendar = WorkingCalendar.for_town(years=[2026])
    # Friday 27 Nov 2026 14:30 + 8 working hours = Monday 30 Nov 14:30
    assert calendar.add_working_hours(at(2026, 11, 27, 14, 30), 8) == at(2026, 11, 30, 14, 30)


def test_filed_at_night_counts_from_next_opening(in_town_a):
    calendar = WorkingCalendar.for_town(years=[2026])
    assert calendar.add_working_hours(at(2026, 11, 24, 22, 0), 8) == at(2026, 11, 25, 16, 30)


def test_thai_public_holidays_are_seeded_and_skipped(in_town_a):
    assert seed_holidays(2026) > 10
    calendar = WorkingCalendar.for_town(years=[2026])
    # 5 Dec (Father's Day) is a Saturday in 2026, substituted on Monday 7 Dec.
    assert dt.date(2026, 12, 5) in calendar.days_off
    assert not calendar.is_working_day(dt.date(2026, 4, 13))  # Songkran
    assert dt.date(2026, 12, 7) in calendar.days_off  # the substitution day
    assert calendar.add_working_hours(at(2026, 12, 4, 16, 30), 8) == at(2026, 12, 8, 16, 30)


def test_a_town_added_holiday_moves_the_deadline_and_can_be_cancelled(in_town_a):
    WorkingCalendar.for_town(years=[2026])
    day = Holiday.objects.create(date=dt.date(2026, 11, 26), name="วันเทศบาล")
    calendar = WorkingCalendar.for_town(years=[2026])
    assert calendar.add_working_hours(at(2026, 11, 25, 16, 30), 8) == at(2026, 11, 27, 16, 30)
    day.is_active = False
    day.save()
    calendar = WorkingCalendar.for_town(years=[2026])
    assert calendar.add_working_hours(at(2026, 11, 25, 16, 30), 8) == at(2026, 11, 26, 16, 30)


def test_deleted_seeded_holiday_is_not_re_added(in_town_a):
    seed_holidays(2026)
    Holiday.objects.filter(date=dt.date(2026, 1, 1)).delete()
    assert seed_holidays(2026) == 0
    assert not Holiday.objects.filter(date=dt.date(2026, 1, 1)).exists()


def test_working_hours_between_skips_nights_and_weekends(in_town_a):
    calendar = WorkingCalendar.for_town(years=[2026])
    assert calendar.working_hours_between(at(2026, 11, 27, 15, 30), at(2026, 11, 30, 9, 30)) == Decimal(
        "2.00"
    )
    assert calendar.working_hours_between(at(2026, 11, 30, 9, 30), at(2026, 11, 27, 15, 30)) == Decimal("0")
