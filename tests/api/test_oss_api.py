"""Staff OSS API under /api/v1/oss/: same rules as the back-office, errors in the common shape."""

from __future__ import annotations

import pytest
from django.db import connection
from rest_framework.test import APIClient

from api.tokens import issue_token
from services.accounts.models import Department
from services.complaints import actions
from services.complaints.models import Category, Complaint
from tests.factories import make_user
from tests.services.complaints.conftest import photo_upload

pytestmark = pytest.mark.django_db
BASE = "/api/v1/oss"


class _Client(APIClient):
    def request(self, **request):
        tenant, schema = getattr(connection, "tenant", None), connection.schema_name
        try:
            return super().request(**request)
        finally:
            if tenant is not None and schema != "public":
                connection.set_tenant(tenant)


def _as(user) -> APIClient:
    client = _Client(HTTP_HOST="alpha.localhost")
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(user)}")
    return client


@pytest.fixture
def people(in_town_a):
    works = Department.objects.create(code="works", name_th="กองช่าง")
    Category.objects.filter(code="road").update(department=works)
    head = make_user(roles=("department_head",), department=works)
    return {
        "oss": make_user(roles=("oss_officer",)),
        "head": head,
        "officer": make_user(roles=("officer",), department=works, username="officer-one"),
        "volunteer": make_user(roles=("bbuddy_volunteer",)),
        "works": works,
    }


def _file(client, **extra):
    data = {
        "channel": "walk_in",
        "category": "road",
        "description": "ถนนทรุดหน้าโรงเรียน",
        "latitude": "12.750000",
        "longitude": "100.900000",
        "reporter_name": "นายเอ",
        "reporter_phone": "0811234567",
        "consent": True,
    }
    data.update(extra)
    return client.post(f"{BASE}/complaints/", data, format="json")


def test_walk_in_to_resolved_through_the_api(people):
    response = _file(_as(people["oss"]))
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["tracking_code"].startswith("ALP-")
    assert _as(people["oss"]).post(f"{BASE}/complaints/{pk}/accept/", {}, format="json").status_code == 200
    head = _as(people["head"])
    assert (
        head.post(f"{BASE}/complaints/{pk}/assign/", {"officer": "officer-one"}, format="json").status_code
        == 200
    )
    officer = _as(people["officer"])
    assert officer.post(f"{BASE}/complaints/{pk}/start/").status_code == 200
    officer.post(f"{BASE}/complaints/{pk}/note/", {"text": "ใช้ปูน 3 ถุง"}, format="json")
    done = officer.post(
        f"{BASE}/complaints/{pk}/resolve/", {"reply": "ซ่อมเสร็จ", "photos": [photo_upload()]}, format="multipart"
    )
    assert done.status_code == 200
    body = done.json()
    assert body["status"] == "resolved"
    note = next(e for e in body["events"] if e["kind"] == "internal_note")
    assert note["is_public"] is False


def test_forbidden_transition_is_403_or_409_never_500(people):
    pk = _file(_as(people["oss"])).json()["id"]
    refused = _as(people["head"]).post(f"{BASE}/complaints/{pk}/reject/", {"reason": "x"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"
    conflict = _as(people["oss"]).post(f"{BASE}/complaints/{pk}/start/")
    assert conflict.status_code == 409
    assert Complaint.objects.get(pk=pk).status == "received"


def test_invalid_input_is_400_with_fields(people):
    response = _file(_as(people["oss"]), latitude="12.9", description="")
    assert response.status_code == 400
    assert "fields" in response.json()["error"]
    outside = _file(_as(people["oss"]), latitude="12.800000")
    assert outside.status_code == 400
    assert "location" in outside.json()["error"]["fields"]
    assert not Complaint.objects.exists()


def test_officer_lists_only_their_cases(people):
    other = actions.submit_complaint(
        filing=actions.Filing(
            category=Category.objects.get(code="road"),
            description="ไม่ใช่งานของเจ้าหน้าที่คนนี้",
            latitude="12.75",
            longitude="100.9",
            is_anonymous=True,
        )
    )
    rows = _as(people["officer"]).get(f"{BASE}/complaints/").json()["results"]
    assert other.pk not in [r["id"] for r in rows]
    assert _as(people["officer"]).get(f"{BASE}/complaints/{other.pk}/").status_code == 404
    assert other.pk in [
        r["id"] for r in _as(people["oss"]).get(f"{BASE}/complaints/?queue=triage").json()["results"]
    ]


def test_volunteer_files_and_sees_only_their_own(people):
    client = _as(people["volunteer"])
    assert _file(client, channel="bbuddy").status_code == 201
    assert len(client.get(f"{BASE}/complaints/").json()["results"]) == 1


def test_dashboard_needs_the_permission_and_valid_dates(people):
    assert _as(people["officer"]).get(f"{BASE}/dashboard/").status_code == 403
    assert _as(people["oss"]).get(f"{BASE}/dashboard/").status_code == 200
    assert _as(people["oss"]).get(f"{BASE}/dashboard/?since=yesterday").status_code == 400


def test_anonymous_and_citizens_are_refused(people):
    assert _Client(HTTP_HOST="alpha.localhost").get(f"{BASE}/complaints/").status_code == 401
    assert _as(make_user(kind="citizen")).get(f"{BASE}/complaints/").status_code == 403


def test_token_of_town_a_means_nothing_on_town_b(people, town_b):
    key = issue_token(make_user(roles=("oss_officer",)))
    other = APIClient(HTTP_HOST="beta.localhost")
    other.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert other.get(f"{BASE}/complaints/").status_code == 401


def test_openapi_schema_lists_oss_endpoints(people):
    schema = _as(people["oss"]).get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/oss/complaints/{id}/resolve/" in paths


def test_holidays_are_listed_and_edited_by_the_town_admin(people):
    admin = make_user(roles=("town_admin",))
    rows = _as(people["oss"]).get(f"{BASE}/holidays/?year=2026").json()
    assert any(row["date"] == "2026-04-13" for row in rows)  # Songkran, seeded
    assert (
        _as(people["oss"])
        .post(f"{BASE}/holidays/", {"date": "2026-11-27", "name": "x"}, format="json")
        .status_code
        == 403
    )
    created = _as(admin).post(f"{BASE}/holidays/", {"date": "2026-11-27", "name": "วันเทศบาล"}, format="json")
    assert created.status_code == 201
    assert (
        _as(admin).post(f"{BASE}/holidays/", {"date": "27/11/2026", "name": "x"}, format="json").status_code
        == 400
    )
    assert _as(people["oss"]).get(f"{BASE}/holidays/?year=abc").status_code == 400


def test_export_through_the_api(people):
    _file(_as(people["oss"]), description="@SUM(A1) ทดสอบ")
    executive = make_user(roles=("executive",))
    response = _as(executive).get(f"{BASE}/export/")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'@SUM(A1)" in body
    assert _as(executive).get(f"{BASE}/export/?file_format=xlsx").content[:2] == b"PK"
    assert _as(people["officer"]).get(f"{BASE}/export/").status_code == 403


def test_dashboard_and_export_take_the_same_period_rules(people):
    """One period parser for the pages and the API: a malformed date, a reversed or too long
    period is a 400 naming `since` on both endpoints."""
    executive = make_user(roles=("executive",))
    for path in ("dashboard", "export"):
        for query in ("since=2026-13-01", "since=2026-06-02&until=2026-06-01", "since=2025-01-01&until=2026-06-01"):
            response = _as(executive).get(f"{BASE}/{path}/?{query}")
            assert response.status_code == 400, (path, query)
            assert "since" in response.json()["error"]["fields"], (path, query)
        assert _as(executive).get(f"{BASE}/{path}/?since=2026-05-01&until=2026-06-01").status_code == 200
