"""Food premises' monthly figures: working days from notification to certificate against 7."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from onboarding.summary import month_bounds
from services.casework import actions
from services.food_premises.figures import monthly_figures
from tests.services.casework.builders import health_officer, pay_and_issue, submitted_food

BKK = ZoneInfo("Asia/Bangkok")


def _notification(filed: dt.datetime, issued: dt.datetime):
    with time_machine.travel(filed, tick=False):
        case = submitted_food()
    with time_machine.travel(issued, tick=False):
        officer = health_officer()
        actions.accept_case(case_id=case.pk, by=officer)
        actions.record_inspection(case_id=case.pk, by=officer, result="pass", notes="สะอาด")
        actions.approve_case(case_id=case.pk, by=officer)
        pay_and_issue(case)
    return case


@pytest.mark.django_db
def test_certificates_in_working_days(in_town_a):
    # Monday 3 Nov 2025 → Wednesday 5 Nov: 2 working days.
    _notification(dt.datetime(2025, 11, 3, 10, tzinfo=BKK), dt.datetime(2025, 11, 5, 10, tzinfo=BKK))
    # Friday 7 Nov → Monday 10 Nov: the weekend does not count, 1 working day.
    _notification(dt.datetime(2025, 11, 7, 10, tzinfo=BKK), dt.datetime(2025, 11, 10, 10, tzinfo=BKK))
    # Monday 10 Nov → Friday 21 Nov: 9 working days, over the 7-day rule.
    _notification(dt.datetime(2025, 11, 10, 10, tzinfo=BKK), dt.datetime(2025, 11, 21, 10, tzinfo=BKK))

    figures = monthly_figures(*month_bounds(dt.date(2025, 11, 1)))

    assert (figures["requests_filed"], figures["issued"]) == (3, 3)
    assert figures["median_days"] == {"median": 2.0, "weight": 3}
    assert figures["within_limit"] == 2
