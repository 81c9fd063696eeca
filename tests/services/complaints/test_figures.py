"""The One Stop Service's monthly figures for the national summary, on a known set of cases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from onboarding.summary import month_bounds
from services.complaints.figures import monthly_figures
from services.complaints.models import Complaint

from .conftest import file_complaint

BKK = ZoneInfo("Asia/Bangkok")


def _case(
    category,
    received: dt.datetime,
    *,
    resolved_after: float | None = None,
    working: str = "0",
    due_after: float = 24,
    reopened: int = 0,
) -> Complaint:
    with time_machine.travel(received, tick=False):
        complaint = file_complaint(category)
    fields = {"received_at": received, "due_at": received + dt.timedelta(hours=due_after), "reopen_count": reopened}
    if resolved_after is not None:
        fields.update(
            status="resolved",
            resolved_at=received + dt.timedelta(hours=resolved_after),
            resolution_working_hours=Decimal(working),
        )
    Complaint.objects.filter(pk=complaint.pk).update(**fields)
    return complaint


@pytest.mark.django_db
def test_a_month_of_complaints_in_calendar_and_working_hours(category):
    _case(category, dt.datetime(2025, 10, 30, 10, tzinfo=BKK), resolved_after=48, working="8", due_after=60)
    _case(category, dt.datetime(2025, 11, 3, 9, tzinfo=BKK), resolved_after=4, working="4")
    # Fixed in the evening: two hours of waiting, no office hours at all.
    _case(category, dt.datetime(2025, 11, 3, 18, tzinfo=BKK), resolved_after=2, working="0")
    _case(category, dt.datetime(2025, 11, 4, 9, tzinfo=BKK), resolved_after=144, working="32")  # late
    _case(category, dt.datetime(2025, 11, 5, 10, tzinfo=BKK), resolved_after=24, working="8", reopened=1)
    _case(category, dt.datetime(2025, 11, 20, 10, tzinfo=BKK))  # still open, due on the 21st

    figures = monthly_figures(*month_bounds(dt.date(2025, 11, 1)))

    assert figures["requests_filed"] == 5  # the October case was filed in October
    assert figures["requests_resolved"] == 5
    assert figures["median_hours"] == {"median": 24.0, "weight": 5}
    assert figures["p90_hours"] == {"median": 105.6, "weight": 5}  # percentile_cont between 48 and 144
    assert figures["median_working_hours"] == {"median": 8.0, "weight": 5}
    assert figures["within_sla"] == 3  # late and reopened ones are misses
    assert figures["reopened"] == 1
    assert figures["overdue"] == 1


@pytest.mark.django_db
def test_a_month_without_complaints_has_no_figures(category):
    _case(category, dt.datetime(2025, 11, 3, 9, tzinfo=BKK), resolved_after=4, working="4")
    assert monthly_figures(*month_bounds(dt.date(2025, 6, 1))) is None
