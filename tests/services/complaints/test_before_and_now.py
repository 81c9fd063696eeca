"""The OSS dashboard's "before → now" from the town's own cases, and times that never read "0.0 ชม."."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template import Context, Template
from django.utils import translation

from services.complaints import actions, selectors
from services.complaints.models import OssSettings

from .conftest import make_filing, photo_upload

pytestmark = pytest.mark.django_db
BKK = ZoneInfo("Asia/Bangkok")


def _case(category, staff, filed: dt.datetime, resolved: dt.datetime, n: int):
    with time_machine.travel(filed, tick=False):
        complaint = actions.submit_complaint(
            filing=make_filing(category, reporter_phone=f"08123450{n:02d}"),
            channel="walk_in",
            by=staff["oss"],
        )
        actions.accept_complaint(complaint_id=complaint.pk, by=staff["oss"])
        actions.assign_complaint(complaint_id=complaint.pk, by=staff["oss"], officer=staff["officer"])
        actions.start_work(complaint_id=complaint.pk, by=staff["officer"])
    with time_machine.travel(resolved, tick=False):
        actions.resolve_complaint(
            complaint_id=complaint.pk, by=staff["officer"], reply="แก้ไขแล้ว", after_photos=[photo_upload()]
        )
    return complaint


def _town_with_history(category, staff):
    """Three cases before go-live at 6, 7 and 8 days; three after it fixed in the evening, 20–40 min."""
    for n, days in enumerate((6, 7, 8)):
        filed = dt.datetime(2026, 3, 2 + n, 10, 0, tzinfo=BKK)
        _case(category, staff, filed, filed + dt.timedelta(days=days), n)
    for n, minutes in enumerate((20, 30, 40), start=3):
        filed = dt.datetime(2026, 6, 1 + n, 18, 0, tzinfo=BKK)  # after office hours (16:30)
        _case(category, staff, filed, filed + dt.timedelta(minutes=minutes), n)
    oss = OssSettings.current()
    oss.went_live_on = dt.date(2026, 5, 1)
    oss.baseline_days = Decimal("5.0")
    oss.save()


def test_before_and_now_come_from_the_towns_own_cases(category, staff):
    _town_with_history(category, staff)

    data = selectors.dashboard(
        since=dt.date(2026, 6, 1), until=dt.date(2026, 6, 30), baseline_days=Decimal("5.0"),
        went_live_on=dt.date(2026, 5, 1),
    )

    summary = data["summary"]
    assert summary["before_source"] == "data"
    assert summary["before_resolved"] == 3
    assert summary["before_days"] == 7.0  # the median of 6, 7, 8 days — not the 5.0 typed in settings
    assert summary["median_hours"] == 0.5  # 30 minutes: kept, not rounded to 0.0
    assert summary["median_working_hours"] == 0.0  # fixed after office hours: the SLA clock did not run
    assert summary["improvement_factor"] == pytest.approx(7.0 / (0.5 / 24), rel=0.01)


def test_without_cases_before_go_live_the_setting_is_shown(category, staff):
    _town_with_history(category, staff)

    data = selectors.dashboard(
        since=dt.date(2026, 6, 1), until=dt.date(2026, 6, 30), baseline_days=Decimal("5.0"),
        went_live_on=dt.date(2026, 1, 1),  # nothing was received before this day
    )

    assert data["summary"]["before_source"] == "setting"
    assert data["summary"]["before_days"] == 5.0


def test_dashboard_page_shows_calendar_and_working_time_and_the_story(client_a, category, staff):
    _town_with_history(category, staff)
    client_a.force_login(staff["executive"])

    with translation.override("th"):
        response = client_a.get("/complaints/staff/dashboard/?since=2026-06-01&until=2026-06-30")

    assert response.status_code == 200
    page = response.content.decode()
    calendar = page.split('id="median-calendar"')[1].split("</div>")[0]
    working = page.split('id="median-working"')[1].split("</div>")[0]
    story = page.split('id="before-now"')[1].split("</div>")[0]
    assert "30 นาที" in calendar
    assert "0.0" not in calendar
    assert "นอกเวลาทำการ" in working
    assert "7.0 วัน → 30 นาที" in story
    assert "3 เรื่องที่รับก่อนเริ่มใช้ระบบ" in story


@pytest.mark.parametrize(
    ("hours", "calendar", "working"),
    [
        (None, "—", "—"),
        (0, "ไม่ถึง 1 นาที", "นอกเวลาทำการ"),
        (0.05, "3 นาที", "3 นาที"),
        (5.25, "5.2 ชม.", "5.2 ชม. ทำการ"),
        (23.5, "23.5 ชม.", "23.5 ชม. ทำการ"),
        (170, "7.1 วัน", "170.0 ชม. ทำการ"),
    ],
)
def test_durations_read_at_a_glance(hours, calendar, working):
    template = Template("{% load oss_durations %}{{ h|calendar_time }}|{{ h|working_time }}")
    with translation.override("th"):
        assert template.render(Context({"h": hours})) == f"{calendar}|{working}"
