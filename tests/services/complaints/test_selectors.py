"""Dashboard and transparency figures from known cases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from services.complaints import selectors
from services.complaints.models import Complaint

from .conftest import file_complaint

pytestmark = pytest.mark.django_db


def _resolve_after(complaint: Complaint, hours: float, *, on_time: bool) -> None:
    received = timezone.now() - dt.timedelta(days=2)
    Complaint.objects.filter(pk=complaint.pk).update(
        received_at=received,
        resolved_at=received + dt.timedelta(hours=hours),
        status="resolved",
        due_at=received + dt.timedelta(hours=hours + (1 if on_time else -1)),
    )


def test_dashboard_median_p90_and_sla(category):
    cases = [file_complaint(category, reporter_phone=f"08123456{n:02d}") for n in range(5)]
    for complaint, hours, on_time in zip(cases[:4], (2, 4, 6, 30), (True, True, True, False), strict=True):
        _resolve_after(complaint, hours, on_time=on_time)
    today = timezone.localdate()
    data = selectors.dashboard(since=today - dt.timedelta(days=7), until=today, baseline_days=Decimal("7"))
    summary = data["summary"]
    assert summary["received"] == 5
    assert summary["resolved"] == 4
    assert summary["open_backlog"] == 1
    assert summary["median_hours"] == 5.0
    assert summary["p90_hours"] == pytest.approx(22.8, abs=0.1)
    assert summary["sla_percent"] == 75.0
    assert summary["improvement_factor"] == pytest.approx(33.6, abs=0.1)
    assert data["by_category"][0]["received"] == 5
    assert sum(day["received"] for day in data["days"]) == 5


def test_transparency_rounds_positions_and_shows_no_names(category):
    complaint = file_complaint(category)
    _resolve_after(complaint, 3, on_time=True)
    data = selectors.transparency()
    assert data["totals"]["resolved"] == 1
    point = data["points"][0]
    assert set(point) == {"lat", "lon", "icon", "category"}
    assert point["lat"] == round(float(complaint.latitude), 3)
    assert data["by_month_category"][0]["sla_percent"] == 100.0
