"""Building permits' monthly figures: days from filing to permit against the 45-day limit."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from onboarding.summary import month_bounds
from services.building_permits.figures import monthly_figures
from services.casework import actions
from tests.services.casework.builders import engineer, executive, pay_and_issue, submitted_permit

BKK = ZoneInfo("Asia/Bangkok")


def _permit(filed: dt.datetime, issued: dt.datetime | None):
    with time_machine.travel(filed, tick=False):
        case = submitted_permit()
    if issued is None:
        return case
    with time_machine.travel(issued, tick=False):
        eng, boss = engineer(), executive()
        actions.accept_case(case_id=case.pk, by=eng)
        actions.record_inspection(case_id=case.pk, by=eng, result="pass", notes="ตรงตามแบบ")
        actions.record_technical_review(case_id=case.pk, by=eng, note="โครงสร้างถูกต้อง")
        actions.approve_case(case_id=case.pk, by=boss)
        pay_and_issue(case)
    return case


@pytest.mark.django_db
def test_permits_issued_in_a_month_and_their_days(in_town_a):
    _permit(dt.datetime(2025, 10, 1, 10, tzinfo=BKK), dt.datetime(2025, 11, 5, 10, tzinfo=BKK))  # 35 days
    _permit(dt.datetime(2025, 9, 20, 10, tzinfo=BKK), dt.datetime(2025, 11, 20, 10, tzinfo=BKK))  # 61 days
    _permit(dt.datetime(2025, 11, 3, 10, tzinfo=BKK), dt.datetime(2025, 11, 13, 10, tzinfo=BKK))  # 10 days
    _permit(dt.datetime(2025, 11, 10, 10, tzinfo=BKK), None)

    figures = monthly_figures(*month_bounds(dt.date(2025, 11, 1)))

    assert figures["requests_filed"] == 2
    assert figures["issued"] == 3
    assert figures["median_days"] == {"median": 35.0, "weight": 3}
    assert figures["within_limit"] == 2
    assert monthly_figures(*month_bounds(dt.date(2025, 5, 1))) is None
