"""The OSS report period, parsed one way (services/complaints/periods.py) for pages and API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import QueryDict

from services.complaints.periods import PeriodInvalid, default_period, page_period, report_period, today


def _q(text: str) -> QueryDict:
    return QueryDict(text)


def test_the_default_is_the_last_30_days_ending_today():
    since, until = report_period(_q(""))
    assert until == today() and (until - since).days == 29
    assert report_period(_q("until=2026-06-30")) == (dt.date(2026, 6, 1), dt.date(2026, 6, 30))


@pytest.mark.parametrize("query", [
    "since=yesterday", "until=2026-02-30", "since=2026-06-02&until=2026-06-01", "since=2025-01-01&until=2026-06-01",
])
def test_a_bad_period_is_refused_with_a_bilingual_reason(query):
    with pytest.raises(PeriodInvalid) as caught:
        report_period(_q(query))
    assert "(" in caught.value.message  # Thai, then English in brackets


def test_a_page_shows_the_default_period_for_a_bad_one():
    assert page_period(_q("since=2026-06-02&until=2026-06-01")) == default_period()
    assert page_period(_q("since=2026-05-01&until=2026-06-01")) == (dt.date(2026, 5, 1), dt.date(2026, 6, 1))


@pytest.mark.django_db
def test_the_staff_dashboard_survives_a_bad_period(in_town_a, client_a):
    from tests.factories import make_user

    executive = make_user(roles=("executive",))
    client_a.force_login(executive)
    assert client_a.get("/complaints/staff/dashboard/?since=nonsense&until=2026-02-30").status_code == 200
