"""Open311 GeoReport v2 on a town host: shapes of JSON and XML, keys, filters, errors."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from defusedxml import ElementTree as ET
from django.db import connection
from django.test import Client
from django.utils import timezone

from services.complaints import actions
from services.complaints.models import Category, CategoryAttribute, Complaint
from tests.factories import make_user

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"


class _Client(Client):
    """Keeps the test's schema after each request (the routing middleware resets it to public)."""

    def request(self, **request):
        tenant, schema = getattr(connection, "tenant", None), connection.schema_name
        try:
            return super().request(**request)
        finally:
            if tenant is not None and schema != "public":
                connection.set_tenant(tenant)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api(in_town_a):
    return _Client(HTTP_HOST="alpha.localhost")


@pytest.fixture
def key(in_town_a):
    admin = make_user(roles=("town_admin",))
    _client, api_key = actions.issue_open311_key(name="Test app", by=admin)
    return api_key


def _post(api, key, **fields):
    data = {
        "api_key": key,
        "service_code": "road",
        "lat": "12.75",
        "long": "100.9",
        "description": "หลุมใหญ่กลางถนน",
        "first_name": "Anan",
        "last_name": "S",
        "phone": "0812345678",
    }
    data.update(fields)
    return api.post(f"{BASE}/requests.json", {k: v for k, v in data.items() if v is not None})


def test_discovery_lists_the_endpoint_and_formats(api):
    data = json.loads(api.get(f"{BASE}/discovery.json").content)
    assert data["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert "text/xml" in data["endpoints"][0]["formats"]
    root = ET.fromstring(api.get(f"{BASE}/discovery.xml").content)
    assert root.tag == "discovery"
    assert root.find("endpoints/endpoint/formats/format") is not None


def test_services_in_json_and_xml(api):
    services = json.loads(api.get(f"{BASE}/services.json").content)
    road = next(s for s in services if s["service_code"] == "road")
    assert set(road) == {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    }
    response = api.get(f"{BASE}/services.xml")
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = ET.fromstring(response.content)
    assert root.tag == "services"
    assert root.find("service/service_code") is not None


def test_service_definition_with_attributes(api):
    road = Category.objects.get(code="road")
    CategoryAttribute.objects.create(
        category=road,
        code="size",
        description="ขนาดหลุม",
        datatype="singlevaluelist",
        required=True,
        values=[{"key": "small", "name": "เล็ก"}, {"key": "big", "name": "ใหญ่"}],
    )
    data = json.loads(api.get(f"{BASE}/services/road.json").content)
    assert data["service_code"] == "road"
    assert data["attributes"][0]["values"][1] == {"key": "big", "name": "ใหญ่"}
    root = ET.fromstring(api.get(f"{BASE}/services/road.xml").content)
    assert root.tag == "service_definition"
    assert root.find("attributes/attribute/values/value/key").text == "small"
    listed = {s["service_code"]: s for s in json.loads(api.get(f"{BASE}/services.json").content)}
    assert listed["road"]["metadata"] is True  # road has attributes (above): clients must read its definition
    missing = api.get(f"{BASE}/services/nope.json")
    assert missing.status_code == 404
    assert json.loads(missing.content)[0]["code"] == 404


def test_post_request_needs_a_valid_api_key(api, key):
    for bad in (None, "", "wrong-key"):
        response = _post(api, bad)
        assert response.status_code == 403
        assert json.loads(response.content) == [{"code": 403, "description": "api_key is missing or invalid"}]
    assert not Complaint.objects.exists()


def test_post_request_creates_a_case_and_token(api, key):
    response = _post(api, key)
    assert response.status_code == 201
    row = json.loads(response.content)[0]
    complaint = Complaint.objects.get()
    assert row["service_request_id"] == complaint.tracking_code
    assert complaint.channel == "open311"
    assert complaint.open311_client.name == "Test app"
    token = json.loads(api.get(f"{BASE}/tokens/{row['token']}.json").content)[0]
    assert token["service_request_id"] == complaint.tracking_code


def test_post_request_errors_are_spec_shaped(api, key):
    outside = _post(api, key, lat="12.80")
    assert outside.status_code == 400
    assert "boundary" in json.loads(outside.content)[0]["description"]
    assert _post(api, key, service_code="nope").status_code == 404
    assert _post(api, key, lat="north").status_code == 400
    assert _post(api, key, lat=None).status_code == 400
    response = api.post(f"{BASE}/requests.xml", {"api_key": key, "service_code": "road"})
    root = ET.fromstring(response.content)
    assert response.status_code == 400
    assert root.tag == "errors"
    assert root.find("error/code").text == "400"
    assert not Complaint.objects.exists()


def test_required_attribute_is_enforced(api, key):
    road = Category.objects.get(code="road")
    CategoryAttribute.objects.create(
        category=road,
        code="size",
        description="ขนาด",
        datatype="singlevaluelist",
        required=True,
        values=[{"key": "small", "name": "เล็ก"}],
    )
    assert _post(api, key).status_code == 400
    assert _post(api, key, **{"attribute[size]": "huge"}).status_code == 400
    assert _post(api, key, **{"attribute[size]": "small"}).status_code == 201
    assert Complaint.objects.get().attributes == {"size": "small"}


def test_get_requests_filters_and_window(api, key):
    _post(api, key)
    _post(api, key, service_code="garbage", phone="0812345679")
    old = Complaint.objects.get(category__code="garbage")
    Complaint.objects.filter(pk=old.pk).update(received_at=timezone.now() - dt.timedelta(days=100))
    rows = json.loads(api.get(f"{BASE}/requests.json").content)
    assert [r["service_code"] for r in rows] == ["road"]  # 90-day default window
    assert set(rows[0]) >= {
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "lat",
        "long",
        "media_url",
    }
    assert rows[0]["status"] == "open"
    start = (timezone.now() - dt.timedelta(days=120)).isoformat()
    end = (timezone.now() - dt.timedelta(days=60)).isoformat()
    rows = json.loads(api.get(f"{BASE}/requests.json", {"start_date": start, "end_date": end}).content)
    assert [r["service_code"] for r in rows] == ["garbage"]
    assert json.loads(api.get(f"{BASE}/requests.json", {"status": "closed"}).content) == []
    assert len(json.loads(api.get(f"{BASE}/requests.json", {"service_code": "road,garbage"}).content)) == 1
    by_id = json.loads(api.get(f"{BASE}/requests.json", {"service_request_id": old.tracking_code}).content)
    assert [r["service_request_id"] for r in by_id] == [old.tracking_code]
    root = ET.fromstring(api.get(f"{BASE}/requests.xml").content)
    assert root.tag == "service_requests"
    assert root.find("request/service_request_id") is not None


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "25/11/2026"},
        {"end_date": "2026-11-25"},
        {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-12-01T00:00:00Z"},
        {"status": "pending"},
    ],
)
def test_bad_dates_and_statuses_get_400(api, params):
    response = api.get(f"{BASE}/requests.json", params)
    assert response.status_code == 400
    assert json.loads(response.content)[0]["code"] == 400


def test_single_request_and_unknown_id(api, key):
    _post(api, key, description="โทร 081-234-5678 ได้เลย")
    complaint = Complaint.objects.get()
    row = json.loads(api.get(f"{BASE}/requests/{complaint.tracking_code}.json").content)[0]
    assert row["service_request_id"] == complaint.tracking_code
    assert row["description"] is None  # the citizen's own text never leaves the town (PDPA)
    assert api.get(f"{BASE}/requests/ALP-2569-999999.json").status_code == 404
    root = ET.fromstring(api.get(f"{BASE}/requests/ALP-2569-999999.xml").content)
    assert root.find("error/code").text == "404"


def test_wrong_jurisdiction_is_404(api):
    assert api.get(f"{BASE}/services.json", {"jurisdiction_id": "beta.localhost"}).status_code == 404
    assert api.get(f"{BASE}/services.json", {"jurisdiction_id": "alpha.localhost"}).status_code == 200


def test_a_key_of_town_a_is_refused_by_town_b(api, key, town_b):
    other = Client(HTTP_HOST="beta.localhost")
    response = other.post(
        f"{BASE}/requests.json",
        {
            "api_key": key,
            "service_code": "road",
            "lat": "12.8",
            "long": "100.9",
            "description": "ทดสอบข้ามเมือง",
        },
    )
    assert response.status_code == 403


def test_control_characters_and_markup_in_a_public_note_survive_as_valid_xml(api, key):
    from services.complaints.models import ComplaintEvent

    _post(api, key, description="<b>ไฟดับ</b>\x01 & น้ำท่วม")
    complaint = Complaint.objects.get()
    ComplaintEvent.objects.create(
        complaint=complaint, kind=ComplaintEvent.Kind.PUBLIC_REPLY, is_public=True, text="<b>ซ่อม</b>\x01 & เสร็จ",
        by=make_user(roles=("officer",)),
    )
    root = ET.fromstring(api.get(f"{BASE}/requests.xml").content)
    assert root.find("request/status_notes").text == "<b>ซ่อม</b> & เสร็จ"
    assert not root.find("request/description").text


def test_requests_of_town_a_are_not_listed_by_town_b(api, key, town_b):
    _post(api, key)
    code = Complaint.objects.get().tracking_code
    other = _Client(HTTP_HOST="beta.localhost")
    assert json.loads(other.get(f"{BASE}/requests.json").content) == []
    assert other.get(f"{BASE}/requests/{code}.json").status_code == 404
