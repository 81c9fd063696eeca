"""The citizen's pages through the real URL routing of a town host."""

from __future__ import annotations

import re

import pytest

from services.complaints import actions
from services.complaints.models import Category, Complaint

from .conftest import INSIDE_A, OUTSIDE_A, file_complaint, photo_upload

pytestmark = pytest.mark.django_db

# A <script src> or <link href> to another host (a CDN). A plain substring test for "cdn" failed
# whenever the page's random CSRF token happened to spell it.
EXTERNAL_ASSET = re.compile(r'<(?:script|link)\b[^>]*\b(?:src|href)="(?:https?:)?//', re.IGNORECASE)


def _form(category: Category, **overrides) -> dict:
    data = {
        "category": category.pk,
        "description": "<script>alert('x')</script> ไฟดับทั้งซอย",
        "latitude": str(INSIDE_A[0]),
        "longitude": str(INSIDE_A[1]),
        "reporter_name": "สมหญิง",
        "reporter_phone": "0898765432",
        "consent": "on",
    }
    data.update(overrides)
    return data


def test_filing_page_renders_the_map_and_the_boundary(client_a, in_town_a):
    response = client_a.get("/complaints/new/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-oss-map="pin"' in body
    assert "common/leaflet/leaflet.js" in body
    assert '"coordinates"' in body  # boundary JSON for the red line
    assert not EXTERNAL_ASSET.search(body)  # scripts and styles served by us, no CDN


def test_citizen_files_and_lands_on_the_tracking_page(client_a, category):
    response = client_a.post("/complaints/new/", _form(category, photos=[photo_upload()]))
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert response["Location"] == f"/complaints/track/{complaint.tracking_code}/?filed=1"
    page = client_a.get(response["Location"])
    body = page.content.decode()
    assert complaint.tracking_code in body
    assert "&lt;script&gt;" in body
    assert "<script>alert" not in body  # escaped, never run
    assert page.status_code == 200
    photo = complaint.photos.get()
    assert (
        client_a.get(
            f"/complaints/track/{complaint.tracking_code}/photos/{photo.file.public_id}/"
        ).status_code
        == 200
    )


def test_pin_outside_the_town_gets_a_clear_400(client_a, category):
    response = client_a.post(
        "/complaints/new/", _form(category, latitude=str(OUTSIDE_A[0]), longitude=str(OUTSIDE_A[1]))
    )
    assert response.status_code == 400
    assert "นอกเขตพื้นที่" in response.content.decode()
    assert not Complaint.objects.exists()


@pytest.mark.parametrize("bad", ["abc", "NaN", "Infinity", "1e400", "95"])
def test_pin_that_is_not_a_number_is_refused(client_a, category, bad):
    response = client_a.post("/complaints/new/", _form(category, latitude=bad))
    assert response.status_code == 400
    assert not Complaint.objects.exists()


def test_oversized_description_is_refused(client_a, category):
    response = client_a.post("/complaints/new/", _form(category, description="ก" * 2001))
    assert response.status_code == 400
    assert not Complaint.objects.exists()


def test_decompression_bomb_is_refused(client_a, category):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (12000, 12000)).save(out, format="PNG")  # 144 Mpx, a few KB on disk
    bomb = SimpleUploadedFile("bomb.png", out.getvalue(), content_type="image/png")
    response = client_a.post("/complaints/new/", _form(category, photos=[bomb]))
    assert response.status_code == 400
    assert "ใหญ่เกินไป" in response.content.decode()
    assert not Complaint.objects.exists()


def test_heic_photo_is_accepted_and_re_encoded(client_a, category):
    import io

    import pillow_heif
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    out = io.BytesIO()
    pillow_heif.register_heif_opener()
    Image.new("RGB", (32, 32), (0, 0, 255)).save(out, format="HEIF")
    upload = SimpleUploadedFile("IMG_0001.HEIC", out.getvalue(), content_type="image/heic")
    response = client_a.post("/complaints/new/", _form(category, photos=[upload]))
    assert response.status_code == 302
    stored = Complaint.objects.get().photos.get().file
    assert stored.content_type == "image/jpeg"


def test_flood_gets_429(client_a, category):
    from services.complaints.models import OssSettings

    OssSettings.objects.update(submissions_per_ip_per_hour=2)
    codes = [
        client_a.post("/complaints/new/", _form(category, reporter_phone=f"08987654{n:02d}")).status_code
        for n in range(3)
    ]
    assert codes == [302, 302, 429]
    assert Complaint.objects.count() == 2


def test_tracking_needs_code_and_last_four_digits(client_a, category):
    complaint = file_complaint(category)
    # a fresh visitor is sent to the look-up form, not shown the case
    response = client_a.get(f"/complaints/track/{complaint.tracking_code}/")
    assert response.status_code == 302
    assert "/complaints/track/?code=" in response["Location"]
    wrong = client_a.post(
        "/complaints/track/", {"tracking_code": complaint.tracking_code, "phone_last4": "0000"}
    )
    missing = client_a.post("/complaints/track/", {"tracking_code": "ALP-2569-999999", "phone_last4": "5678"})
    assert wrong.status_code == missing.status_code == 404
    assert wrong.content.decode().count("ไม่พบเรื่อง") == missing.content.decode().count("ไม่พบเรื่อง") == 1
    ok = client_a.post(
        "/complaints/track/", {"tracking_code": complaint.tracking_code, "phone_last4": "5678"}
    )
    assert ok.status_code == 302
    assert client_a.get(ok["Location"]).status_code == 200


def test_lookup_guessing_is_rate_limited(client_a, category):
    complaint = file_complaint(category)
    statuses = [
        client_a.post(
            "/complaints/track/", {"tracking_code": complaint.tracking_code, "phone_last4": f"{n:04d}"}
        ).status_code
        for n in range(21)
    ]
    assert statuses[-1] == 429
    right = client_a.post(
        "/complaints/track/", {"tracking_code": complaint.tracking_code, "phone_last4": "5678"}
    )
    assert right.status_code == 429


def test_internal_notes_never_reach_the_tracking_page(client_a, category, staff):
    complaint = file_complaint(category)
    actions.add_internal_note(complaint_id=complaint.pk, by=staff["oss"], text="ผู้แจ้งเป็นญาตินายก")
    actions.add_public_reply(complaint_id=complaint.pk, by=staff["oss"], text="กำลังส่งช่างไปตรวจ")
    client_a.post("/complaints/track/", {"tracking_code": complaint.tracking_code, "phone_last4": "5678"})
    body = client_a.get(f"/complaints/track/{complaint.tracking_code}/").content.decode()
    assert "กำลังส่งช่างไปตรวจ" in body
    assert "ญาตินายก" not in body


def test_citizen_confirms_and_rates_from_the_tracking_page(client_a, category, staff):
    complaint = file_complaint(category)
    actions.assign_complaint(complaint_id=complaint.pk, by=staff["head"], officer=staff["officer"])
    actions.resolve_complaint(
        complaint_id=complaint.pk, by=staff["officer"], reply="เรียบร้อย", after_photos=[photo_upload()]
    )
    client_a.post("/complaints/track/", {"tracking_code": complaint.tracking_code, "phone_last4": "5678"})
    page = client_a.get(f"/complaints/track/{complaint.tracking_code}/").content.decode()
    assert "confirm-button" in page
    client_a.post(f"/complaints/track/{complaint.tracking_code}/confirm/", {"rating": "4", "comment": "ดี"})
    complaint.refresh_from_db()
    assert (complaint.status, complaint.rating) == ("closed", 4)


def test_confirm_without_access_is_404(client_a, category):
    complaint = file_complaint(category)
    response = client_a.post(f"/complaints/track/{complaint.tracking_code}/confirm/", {"rating": "5"})
    assert response.status_code == 404


def test_transparency_page_has_no_personal_data(client_a, category, staff):
    complaint = file_complaint(category)
    actions.assign_complaint(complaint_id=complaint.pk, by=staff["head"], officer=staff["officer"])
    actions.resolve_complaint(
        complaint_id=complaint.pk, by=staff["officer"], reply="เรียบร้อย", after_photos=[photo_upload()]
    )
    body = client_a.get("/complaints/transparency/").content.decode()
    assert "สมชาย" not in body
    assert "0812345678" not in body
    assert complaint.tracking_code not in body
    assert "oss-points" in body


def test_a_case_of_town_a_is_invisible_from_town_b(client_a, client_b, category):
    complaint = file_complaint(category)
    response = client_b.post(
        "/complaints/track/", {"tracking_code": complaint.tracking_code, "phone_last4": "5678"}
    )
    assert response.status_code == 404
    client_a.post("/complaints/track/", {"tracking_code": complaint.tracking_code, "phone_last4": "5678"})
    # the session cookie of town A means nothing on town B's host
    assert client_b.get(f"/complaints/track/{complaint.tracking_code}/").status_code == 302


def test_signed_in_citizen_sees_my_requests(client_a, category):
    from tests.factories import make_user

    citizen = make_user(kind="citizen", phone="0891112222")
    client_a.force_login(citizen)
    response = client_a.post("/complaints/new/", _form(category, reporter_phone="0891112222"))
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.reporter_user == citizen
    assert complaint.tracking_code in client_a.get("/complaints/mine/").content.decode()


def test_category_questions_are_asked_and_required_on_the_web(client_a, category):
    from services.complaints.models import CategoryAttribute

    CategoryAttribute.objects.create(
        category=category,
        code="size",
        description="ขนาดหลุม",
        required=True,
        datatype="singlevaluelist",
        values=[{"key": "big", "name": "ใหญ่"}],
    )
    page = client_a.get("/complaints/new/").content.decode()
    assert 'name="attribute[size]"' in page
    missing = client_a.post("/complaints/new/", _form(category))
    assert missing.status_code == 400
    assert not Complaint.objects.exists()
    answered = client_a.post("/complaints/new/", {**_form(category), "attribute[size]": "big"})
    assert answered.status_code == 302
    assert Complaint.objects.get().attributes == {"size": "big"}


def test_the_wizards_communities_fill_the_complaint_forms_list(client_a, in_town_a):
    """Bang Sare's form had an empty community list: the names given at onboarding never reached it."""
    from django.db import connection

    from services.complaints.models import Community
    from services.complaints.town_setup import seed_town

    connection.tenant.communities = ["ชุมชนบ้านอำเภอ", "ชุมชนหาดเทียน"]
    seed_town({})
    seed_town({})  # twice changes nothing
    assert list(Community.objects.filter(name_th__startswith="ชุมชน").values_list("name_th", flat=True)) == [
        "ชุมชนบ้านอำเภอ", "ชุมชนหาดเทียน"
    ]
    connection.set_schema_to_public()
    page = client_a.get("/complaints/new/").content.decode()
    assert "ชุมชนบ้านอำเภอ" in page and "ชุมชนหาดเทียน" in page
