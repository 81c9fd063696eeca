"""Open311 reads follow the public board's rules: no citizen text or address, private categories
pinned to their community's point or not listed at all."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from services.complaints import actions
from services.complaints.models import Category, Community, Complaint

from .test_open311 import BASE, _Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(in_town_a):
    from django.core.cache import cache

    cache.clear()
    return _Client(HTTP_HOST="alpha.localhost")


def _file(category: Category, *, community: Community | None = None) -> Complaint:
    return actions.submit_complaint(
        filing=actions.Filing(
            category=category,
            description="นายสมชาย บ้านเลขที่ 12/3 โทร 0812345678",
            latitude=Decimal("12.751234"),
            longitude=Decimal("100.901234"),
            address_text="12/3 ซอยสุขใจ",
            reporter_name="สมชาย ใจดี",
            reporter_phone="0812345678",
            community=community,
            consent=True,
        ),
        channel=Complaint.Channel.WEB,
        ip="198.51.100.1",
    )


def test_no_citizen_text_address_or_name_in_any_request(api):
    road = Category.objects.filter(is_private=False, is_active=True).first()
    case = _file(road)
    for url in (f"{BASE}/requests.json", f"{BASE}/requests/{case.tracking_code}.json"):
        body = api.get(url).content.decode()
        for secret in ("สมชาย", "12/3", "0812345678", "ซอยสุขใจ"):
            assert secret not in body, (url, secret)
    row = json.loads(api.get(f"{BASE}/requests/{case.tracking_code}.json").content)[0]
    assert row["lat"] == pytest.approx(12.751234) and row["description"] is None


def test_a_private_category_is_pinned_to_the_community_point(api):
    private = Category.objects.create(code="conduct", name_th="พฤติกรรมเจ้าหน้าที่", is_private=True)
    hall = Community.objects.create(name_th="ชุมชนทดสอบ", latitude=Decimal("12.760000"), longitude=Decimal("100.910000"))
    case = _file(private, community=hall)
    row = json.loads(api.get(f"{BASE}/requests/{case.tracking_code}.json").content)[0]
    assert (row["lat"], row["long"]) == (12.76, 100.91)
    assert "12.7512" not in api.get(f"{BASE}/requests.json").content.decode()


def test_a_private_category_without_a_community_point_is_not_listed(api):
    private = Category.objects.create(code="conduct2", name_th="ร้องเรียนเจ้าหน้าที่", is_private=True)
    case = _file(private)
    assert case.tracking_code not in api.get(f"{BASE}/requests.json").content.decode()
    assert api.get(f"{BASE}/requests/{case.tracking_code}.json").status_code == 404
    assert api.get(f"{BASE}/requests.json", {"service_request_id": case.tracking_code}).json() == []
