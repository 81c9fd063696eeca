"""The public board: opt-in per town and category, no personal data in the page or the map feed,
private categories without a pin, only "after" photos served, and towns kept apart."""

from __future__ import annotations

import json
import re

import pytest
from django.core.cache import cache
from django.db import connection

from services.complaints import actions
from services.complaints.models import Category, Community, Complaint, ComplaintPhoto, OssSettings
from tests.factories import make_user

from .conftest import file_complaint, photo_upload

pytestmark = pytest.mark.django_db

# A <script src> or <link href> to another host (a CDN). A plain substring test for "cdn" failed
# whenever the page's random CSRF token happened to spell it.
EXTERNAL_ASSET = re.compile(r'<(?:script|link)\b[^>]*\b(?:src|href)="(?:https?:)?//', re.IGNORECASE)

REPORTER_NAME = "สมชาย ใจดี"
REPORTER_PHONE = "0812345678"
ADDRESS = "บ้านเลขที่ 99/9 ซอยลับเฉพาะ"
DESCRIPTION = "ถนนหน้าบ้านเป็นหลุมลึก รถจักรยานยนต์ล้ม"


def enable_board(**settings) -> OssSettings:
    current = OssSettings.current()
    current.public_board_enabled = True
    for name, value in settings.items():
        setattr(current, name, value)
    current.save()
    return current


@pytest.fixture
def board_category(category) -> Category:
    category.on_public_board = True
    category.save()
    return category


@pytest.fixture
def private_category(in_town_a) -> Category:
    return Category.objects.create(
        code="private-thing", name_th="เหตุรำคาญในบ้าน", on_public_board=True, is_private=True, icon="🔒"
    )


@pytest.fixture
def community(in_town_a) -> Community:
    return Community.objects.create(name_th="ชุมชนริมน้ำ")


def _filed(category, community=None, **overrides) -> Complaint:
    return file_complaint(
        category,
        address_text=ADDRESS,
        community=community,
        reporter_email="somchai@example.org",
        **overrides,
    )


def resolve_with_photo(complaint: Complaint, staff) -> Complaint:
    actions.assign_complaint(complaint_id=complaint.pk, by=staff["head"], officer=staff["officer"])
    actions.resolve_complaint(
        complaint_id=complaint.pk,
        by=staff["officer"],
        reply="ซ่อมเรียบร้อยแล้ว",
        after_photos=[photo_upload(colour=(10, 200, 10))],
    )
    complaint.refresh_from_db()
    return complaint


def test_board_off_is_a_404_everywhere(client_a, board_category):
    complaint = _filed(board_category)
    for url in ("/complaints/board/", "/complaints/board/map.geojson", f"/complaints/board/{complaint.pk}/"):
        assert client_a.get(url).status_code == 404, url
    assert client_a.post(f"/complaints/board/{complaint.pk}/me-too/", {"phone": "0891112222"}).status_code == 404
    assert "/complaints/board/" not in client_a.get("/complaints/").content.decode()


def test_portal_links_to_the_board_when_enabled(client_a, in_town_a):
    enable_board()
    assert 'href="/complaints/board/"' in client_a.get("/complaints/").content.decode()


def test_board_lists_only_opted_in_categories_and_no_personal_data(client_a, board_category, community):
    enable_board()
    shown = _filed(board_category, community)
    hidden_category = Category.objects.create(code="hidden", name_th="เรื่องที่ไม่แสดง", on_public_board=False)
    hidden = _filed(hidden_category, reporter_phone="0899990000")
    response = client_a.get("/complaints/board/")
    assert response.status_code == 200
    body = response.content.decode()
    assert f"/complaints/board/{shown.pk}/" in body
    assert f"/complaints/board/{hidden.pk}/" not in body
    assert "ชุมชนริมน้ำ" in body
    assert board_category.name_th in body
    assert "common/leaflet/leaflet.js" in body and not EXTERNAL_ASSET.search(body)  # scripts and styles served by us, no CDN
    for secret in (
        REPORTER_NAME,
        REPORTER_PHONE,
        "081-234-5678",
        ADDRESS,
        DESCRIPTION,
        "somchai@example.org",
        shown.tracking_code,
        str(shown.latitude),
    ):
        assert secret not in body, secret
    feed = client_a.get("/complaints/board/map.geojson")
    assert feed.status_code == 200
    text = feed.content.decode()
    for secret in (REPORTER_NAME, REPORTER_PHONE, ADDRESS, DESCRIPTION, "somchai@example.org", shown.tracking_code):
        assert secret not in text, secret
    data = json.loads(text)
    assert data["type"] == "FeatureCollection"
    assert [f["properties"]["id"] for f in data["features"]] == [shown.pk]
    props = data["features"][0]["properties"]
    assert set(props) == {
        "id",
        "category",
        "icon",
        "status",
        "status_label",
        "resolved",
        "community",
        "age_days",
        "supporters",
        "snapped",
    }
    assert props["community"] == "ชุมชนริมน้ำ"


def test_case_page_shows_no_personal_data(client_a, board_category):
    enable_board()
    complaint = _filed(board_category)
    body = client_a.get(f"/complaints/board/{complaint.pk}/").content.decode()
    assert "ฉันก็เจอปัญหานี้" in body
    for secret in (REPORTER_NAME, REPORTER_PHONE, ADDRESS, DESCRIPTION, complaint.tracking_code):
        assert secret not in body, secret


def test_filters_status_category_and_community(client_a, board_category, community, staff):
    enable_board()
    open_case = _filed(board_category, community)
    done = resolve_with_photo(_filed(board_category, reporter_phone="0891230000"), staff)

    def ids(params):
        return [f["properties"]["id"] for f in client_a.get("/complaints/board/map.geojson", params).json()["features"]]

    assert ids({"status": "open"}) == [open_case.pk]
    assert ids({"status": "resolved"}) == [done.pk]
    assert ids({"community": str(community.pk)}) == [open_case.pk]
    assert ids({"category": "no-such"}) == []
    # garbage is ignored, never a 500
    for params in ({"community": "1e9999"}, {"community": "9" * 40}, {"status": "<x>"}, {"page": "abc"}):
        assert client_a.get("/complaints/board/", params).status_code == 200
        assert client_a.get("/complaints/board/map.geojson", params).status_code == 200
    page = client_a.get("/complaints/board/", {"status": "resolved"}).content.decode()
    assert f"/complaints/board/{done.pk}/" in page and f"/complaints/board/{open_case.pk}/" not in page


def test_rejected_merged_and_referred_cases_are_not_on_the_board(client_a, board_category, staff):
    enable_board()
    rejected = _filed(board_category)
    actions.reject_complaint(complaint_id=rejected.pk, by=staff["oss"], reason="ไม่ใช่อำนาจหน้าที่")
    referred = _filed(board_category, reporter_phone="0891230001")
    Complaint.objects.filter(pk=referred.pk).update(status="referred")
    kept = _filed(board_category, reporter_phone="0891230002")
    ids = [f["properties"]["id"] for f in client_a.get("/complaints/board/map.geojson").json()["features"]]
    assert ids == [kept.pk]
    assert client_a.get(f"/complaints/board/{rejected.pk}/").status_code == 404
    assert client_a.get(f"/complaints/board/{referred.pk}/").status_code == 404


def test_private_category_has_no_pin_but_is_listed_with_its_community(client_a, private_category, community):
    enable_board()
    complaint = _filed(private_category, community)
    data = client_a.get("/complaints/board/map.geojson").json()
    assert data["features"] == []
    body = client_a.get("/complaints/board/").content.decode()
    assert f"/complaints/board/{complaint.pk}/" in body and "ชุมชนริมน้ำ" in body
    assert str(complaint.latitude) not in body


def test_private_pin_is_snapped_to_the_community_point(client_a, private_category, community, staff):
    """Once the town places the community, a private case shows there, never at the reporter's spot."""
    enable_board()
    complaint = _filed(private_category, community)
    admin = make_user(roles=("town_admin",), username="board-admin")
    actions.set_community_location(community_id=community.pk, by=admin, latitude="12.7600", longitude="100.9100")
    cache.clear()  # the map feed is cached for a minute
    [feature] = client_a.get("/complaints/board/map.geojson").json()["features"]
    assert feature["properties"]["id"] == complaint.pk and feature["properties"]["snapped"] is True
    assert feature["geometry"]["coordinates"] == [100.91, 12.76]
    assert (complaint.latitude, complaint.longitude) != (12.76, 100.91)
    feed = client_a.get("/complaints/board/map.geojson").content.decode()
    assert str(complaint.latitude) not in feed and str(complaint.longitude) not in feed


def test_community_location_is_checked_and_needs_settings_permission(client_a, community, staff):
    from django.core.exceptions import PermissionDenied, ValidationError

    admin = make_user(roles=("town_admin",), username="board-admin2")
    with pytest.raises(PermissionDenied):
        actions.set_community_location(
            community_id=community.pk, by=staff["officer"], latitude="12.76", longitude="100.91"
        )
    for lat, lon in (("12.80", "100.90"), ("abc", "100.9"), ("12.76", "")):  # outside the town; text; half
        with pytest.raises(ValidationError):
            actions.set_community_location(community_id=community.pk, by=admin, latitude=lat, longitude=lon)
    community.refresh_from_db()
    assert community.latitude is None and community.longitude is None
    client_a.force_login(admin)
    response = client_a.post(
        "/complaints/staff/settings/",
        {"form": "community_location", "community": community.pk, "latitude": "12.7601", "longitude": "100.9102"},
    )
    assert response.status_code == 302
    community.refresh_from_db()
    assert (str(community.latitude), str(community.longitude)) == ("12.760100", "100.910200")


def test_after_photo_is_shown_and_served_report_photo_never(client_a, board_category, staff):
    enable_board()
    complaint = actions.submit_complaint(
        filing=actions.Filing(
            category=board_category,
            description=DESCRIPTION,
            latitude=None,
            longitude=None,
            reporter_name=REPORTER_NAME,
            reporter_phone=REPORTER_PHONE,
            consent=True,
        ),
        uploads=[photo_upload(gps=(12.75, 100.9))],
        ip="203.0.113.9",
    )
    report = complaint.photos.get(kind=ComplaintPhoto.Kind.REPORT)
    # open: no photo at all on the board
    body = client_a.get(f"/complaints/board/{complaint.pk}/").content.decode()
    assert str(report.file.public_id) not in body
    resolve_with_photo(complaint, staff)
    after = complaint.photos.get(kind=ComplaintPhoto.Kind.AFTER)
    body = client_a.get(f"/complaints/board/{complaint.pk}/").content.decode()
    assert f"/complaints/board/photos/{after.file.public_id}/" in body
    assert str(report.file.public_id) not in body
    response = client_a.get(f"/complaints/board/photos/{after.file.public_id}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert client_a.get(f"/complaints/board/photos/{report.file.public_id}/").status_code == 404
    # the category leaves the board: its photos go with it
    board_category.on_public_board = False
    board_category.save()
    assert client_a.get(f"/complaints/board/photos/{after.file.public_id}/").status_code == 404


def test_private_category_after_photo_is_not_served(client_a, private_category, staff):
    enable_board()
    private_category.department = staff["roads"]
    private_category.save()
    complaint = resolve_with_photo(_filed(private_category), staff)
    after = complaint.photos.get(kind=ComplaintPhoto.Kind.AFTER)
    assert str(after.file.public_id) not in client_a.get(f"/complaints/board/{complaint.pk}/").content.decode()
    assert client_a.get(f"/complaints/board/photos/{after.file.public_id}/").status_code == 404


def test_huge_or_unknown_ids_are_404(client_a, in_town_a):
    enable_board()
    for pk in ("999999", "9" * 25):
        assert client_a.get(f"/complaints/board/{pk}/").status_code == 404
        assert client_a.post(f"/complaints/board/{pk}/me-too/", {"phone": "0891112222"}).status_code == 404


def test_town_b_board_never_lists_town_a_complaints(client_a, client_b, board_category, town_b):
    enable_board()
    complaint = _filed(board_category)
    assert client_a.get("/complaints/board/map.geojson").json()["features"]
    connection.set_tenant(town_b)
    enable_board()
    Category.objects.filter(code=board_category.code).update(on_public_board=True)
    feed = client_b.get("/complaints/board/map.geojson")
    assert feed.status_code == 200 and feed.json()["features"] == []
    assert f"/complaints/board/{complaint.pk}/" not in client_b.get("/complaints/board/").content.decode()
    assert client_b.get(f"/complaints/board/{complaint.pk}/").status_code == 404
