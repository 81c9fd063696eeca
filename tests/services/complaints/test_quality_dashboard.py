"""The quality of closing work on the OSS dashboard (issue #9): reopen rate, share confirmed by
reporters, share without an after photo and with a photo exception, per department and per officer,
outliers first; reopened cases count against the SLA; another town's cases never count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from services.complaints import actions, selectors
from services.complaints.models import Category, Complaint, OssSettings
from services.complaints.sla import BANGKOK
from tests.factories import make_user

from .conftest import file_complaint
from .test_proof_of_resolution import _api, after_photo, north_of_pin

pytestmark = pytest.mark.django_db


def _resolved(category, *, officer, head, photo=True, far_reason=""):
    complaint = file_complaint(category)
    actions.assign_complaint(complaint_id=complaint.pk, by=head, officer=officer)
    photos = [after_photo(gps=north_of_pin(500 if far_reason else 20))] if photo else []
    actions.resolve_complaint(
        complaint_id=complaint.pk,
        by=officer,
        reply="ดำเนินการแล้ว",
        after_photos=photos,
        photo_exception_reason=far_reason,
    )
    return complaint


def _close_unconfirmed(complaint):
    Complaint.objects.filter(pk=complaint.pk).update(
        resolved_at=timezone.now() - dt.timedelta(days=8), due_at=timezone.now() + dt.timedelta(days=1)
    )
    assert actions.close_confirmed_by_silence() == 1


@pytest.fixture
def known_cases(category, staff):
    """Roads (officer A): 4 resolutions — one confirmed, one closed by silence, one reopened and fixed
    again, one with a far photo and a reason. Health (officer B): 4 — three confirmed, one without
    any photo (a category without the rule)."""
    roads_officer, health_officer = staff["officer"], make_user(roles=("officer",), department=staff["health"])
    garbage = Category.objects.get(code="garbage")
    garbage.department = staff["health"]
    garbage.save()
    health_head = staff["foreign_head"]
    a1 = _resolved(category, officer=roads_officer, head=staff["head"])
    actions.confirm_resolution(complaint_id=a1.pk, rating=5)
    a2 = _resolved(category, officer=roads_officer, head=staff["head"])
    _close_unconfirmed(a2)
    a3 = _resolved(category, officer=roads_officer, head=staff["head"])
    actions.reopen_complaint(complaint_id=a3.pk, reason="ยังไม่เรียบร้อย")
    actions.resolve_complaint(
        complaint_id=a3.pk, by=roads_officer, reply="ซ่อมอีกรอบ", after_photos=[after_photo(name="again.jpg")]
    )
    _resolved(category, officer=roads_officer, head=staff["head"], far_reason="ถนนปิด ถ่ายจากอีกฝั่ง")
    for _ in range(3):
        b = _resolved(garbage, officer=health_officer, head=health_head)
        actions.confirm_resolution(complaint_id=b.pk, rating=4)
    _resolved(garbage, officer=health_officer, head=health_head, photo=False)
    return {"roads_officer": roads_officer, "health_officer": health_officer}


def _dashboard():
    today = timezone.now().astimezone(BANGKOK).date()
    return selectors.dashboard(
        since=today - dt.timedelta(days=29), until=today, baseline_days=OssSettings.current().baseline_days
    )


def _pick(rows, **match):
    return next(r for r in rows if all(r[k] == v for k, v in match.items()))


def test_metrics_per_department_and_officer_on_a_known_data_set(known_cases, staff):
    quality = _dashboard()["quality"]
    town = quality["town"]
    assert (town["resolved"], town["reopened"], town["closed"], town["confirmed"]) == (8, 1, 5, 4)
    assert (town["without_photo"], town["with_exception"]) == (1, 1)
    assert (town["reopen_percent"], town["confirmed_percent"], town["without_photo_percent"]) == (12.5, 80.0, 12.5)
    assert town["exception_percent"] == 12.5

    roads = _pick(quality["by_department"], label="กองช่าง")
    assert (roads["resolved"], roads["reopen_percent"], roads["confirmed_percent"]) == (4, 25.0, 50.0)
    assert (roads["without_photo_percent"], roads["exception_percent"]) == (0.0, 25.0)
    # 0.25 reopened + (1 − 0.5) unconfirmed + 0 without photo + ½ × 0.25 exceptions
    assert roads["outlier_score"] == 0.875
    health = _pick(quality["by_department"], label="กองสาธารณสุข")
    assert (health["resolved"], health["reopen_percent"], health["confirmed_percent"]) == (4, 0.0, 100.0)
    assert (health["without_photo_percent"], health["outlier_score"]) == (25.0, 0.25)

    officer_a = _pick(quality["by_officer"], username=known_cases["roads_officer"].username)
    officer_b = _pick(quality["by_officer"], username=known_cases["health_officer"].username)
    assert (officer_a["resolved"], officer_a["reopened"], officer_a["confirmed"]) == (4, 1, 1)
    assert (officer_b["resolved"], officer_b["without_photo"], officer_b["with_exception"]) == (4, 1, 0)


def test_outliers_come_first(known_cases):
    quality = _dashboard()["quality"]
    assert [r["label"] for r in quality["by_department"]] == ["กองช่าง", "กองสาธารณสุข"]
    assert [r["is_outlier"] for r in quality["by_department"]] == [True, False]
    assert quality["by_officer"][0]["username"] == known_cases["roads_officer"].username
    assert quality["by_officer"][0]["is_outlier"] is True


def test_a_reopened_case_counts_against_the_sla_whatever_its_later_time(known_cases):
    summary = _dashboard()["summary"]
    # all eight were resolved within their target; the reopened one is a miss all the same
    assert summary["resolved"] == 8
    assert summary["sla_percent"] == 87.5


def test_the_metrics_take_a_bounded_number_of_queries(known_cases, django_assert_num_queries):
    period = Complaint.objects.exclude(status="merged")
    with django_assert_num_queries(3):
        selectors.resolution_quality(period)


def test_the_dashboard_page_and_api_show_the_quality_table(known_cases, client_a, staff):
    client_a.force_login(staff["executive"])
    page = client_a.get("/complaints/staff/dashboard/").content.decode()
    assert 'id="quality-department"' in page
    assert page.index("oss-outlier") < page.index("กองสาธารณสุข</td>")
    body = _api(staff["executive"]).get("/api/v1/oss/dashboard/").json()
    assert body["quality"]["town"]["resolved"] == 8
    assert body["quality"]["by_department"][0]["label"] == "กองช่าง"


def test_town_b_dashboard_does_not_count_town_a_cases(known_cases, town_a, town_b):
    connection.set_tenant(town_b)
    try:
        quality = _dashboard()["quality"]
        assert quality["town"]["resolved"] == 0
        assert quality["by_department"] == [] and quality["by_officer"] == []
        executive_b = make_user(roles=("executive",))
        body = _api(executive_b, host="beta.localhost").get("/api/v1/oss/dashboard/").json()
        assert body["quality"]["town"]["resolved"] == 0
        assert body["summary"]["resolved"] == 0
    finally:
        connection.set_tenant(town_a)
    assert _dashboard()["quality"]["town"]["resolved"] == 8
