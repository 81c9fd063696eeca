"""Proof of resolution (issue #9): "after" photos checked by their EXIF time and place, the reporter's
confirmation request and access link, confirm / reopen / silence, and the bad-input cases."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from api.tokens import issue_token
from services.common.models import OutboxMessage, StoredFile
from services.complaints import actions, selectors
from services.complaints.models import Category, Complaint, ComplaintEvent, ComplaintPhoto, OssSettings
from services.complaints.workflow import ComplaintStatus as S
from tests.factories import make_user

from .conftest import INSIDE_A, file_complaint

pytestmark = pytest.mark.django_db

METRES_PER_DEGREE_LAT = 111_320
PIN = (float(INSIDE_A[0]), float(INSIDE_A[1]))


def north_of_pin(metres: float) -> tuple[float, float]:
    return (PIN[0] + metres / METRES_PER_DEGREE_LAT, PIN[1])


def after_photo(
    *, taken_at: dt.datetime | None = None, gps: tuple[float, float] | None = None, name: str = "after.jpg"
) -> SimpleUploadedFile:
    """A JPEG with EXIF DateTimeOriginal (+ OffsetTimeOriginal) and GPS, as a phone camera writes them."""
    exif = Image.Exif()
    exif[0x010F] = "TestCam"
    if taken_at is not None:
        local = taken_at.astimezone(dt.timezone(dt.timedelta(hours=7)))
        exif.get_ifd(0x8769).update({0x9003: local.strftime("%Y:%m:%d %H:%M:%S"), 0x9011: "+07:00"})
    if gps is not None:

        def dms(value: float):
            value = abs(value)
            degrees = int(value)
            minutes = int((value - degrees) * 60)
            return (float(degrees), float(minutes), round(((value - degrees) * 60 - minutes) * 60, 4))

        exif.get_ifd(0x8825).update({1: "N", 2: dms(gps[0]), 3: "E", 4: dms(gps[1])})
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (20, 160, 20)).save(out, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def _assigned(category: Category, staff, **filing) -> Complaint:
    complaint = file_complaint(category, **filing)
    actions.assign_complaint(complaint_id=complaint.pk, by=staff["head"], officer=staff["officer"])
    complaint.refresh_from_db()
    return complaint


def _resolve(complaint: Complaint, staff, **kwargs) -> Complaint:
    actions.resolve_complaint(complaint_id=complaint.pk, by=staff["officer"], reply="ซ่อมเรียบร้อยแล้ว", **kwargs)
    complaint.refresh_from_db()
    return complaint


def _snapshot(complaint: Complaint) -> tuple:
    complaint.refresh_from_db()
    return (
        complaint.status,
        complaint.resolved_at,
        complaint.resolved_by_id,
        complaint.events.count(),
        ComplaintPhoto.objects.filter(complaint=complaint, kind="after").count(),
        StoredFile.objects.count(),
        OutboxMessage.objects.count(),
    )


# --- the rule on resolve --------------------------------------------------------------------------


def test_infrastructure_categories_require_the_after_photo_by_default(in_town_a):
    assert Category.objects.get(code="road").requires_after_photo is True
    assert Category.objects.get(code="garbage").requires_after_photo is False


def test_resolving_without_the_required_photo_is_refused_and_nothing_is_written(category, staff):
    complaint = _assigned(category, staff)
    before = _snapshot(complaint)
    with pytest.raises(ValidationError) as error:
        _resolve(complaint, staff)
    message = error.value.message_dict["photos"][0]
    assert "ต้องแนบรูปหลังดำเนินการ" in message
    assert "(This category needs at least one" in message
    assert _snapshot(complaint) == before
    assert complaint.status == S.ASSIGNED


def test_a_photo_taken_after_filing_near_the_pin_is_accepted_with_its_exif_kept(category, staff):
    complaint = _assigned(category, staff)
    taken = timezone.now().replace(microsecond=0)
    complaint = _resolve(complaint, staff, after_photos=[after_photo(taken_at=taken, gps=north_of_pin(50))])
    assert complaint.status == S.RESOLVED
    assert (complaint.resolved_by, complaint.resolved_without_photo) == (staff["officer"], False)
    assert complaint.photo_exception_reason == ""
    photo = complaint.photos.get(kind="after")
    assert photo.taken_at == taken
    assert abs(float(photo.latitude) - north_of_pin(50)[0]) < 1e-5
    assert abs(float(photo.longitude) - PIN[1]) < 1e-5
    # the stored file is re-encoded: no EXIF left in it
    with photo.file.file.open("rb") as handle:
        assert not Image.open(handle).getexif()


def test_a_photo_without_location_or_date_is_accepted(category, staff):
    complaint = _resolve(_assigned(category, staff), staff, after_photos=[after_photo()])
    assert complaint.status == S.RESOLVED
    photo = complaint.photos.get(kind="after")
    assert (photo.latitude, photo.longitude, photo.taken_at) == (None, None, None)


def test_a_file_that_is_not_an_image_is_refused(category, staff):
    complaint = _assigned(category, staff)
    before = _snapshot(complaint)
    fake = SimpleUploadedFile("after.jpg", b"%PDF-1.4 this is not a photo", content_type="image/jpeg")
    with pytest.raises(ValidationError) as error:
        _resolve(complaint, staff, after_photos=[fake])
    assert "not a readable image" in error.value.message_dict["photos"][0]
    assert _snapshot(complaint) == before


def test_a_photo_taken_before_the_complaint_was_filed_is_refused(category, staff):
    complaint = _assigned(category, staff)
    before = _snapshot(complaint)
    old = after_photo(taken_at=complaint.received_at - dt.timedelta(days=3), gps=north_of_pin(10))
    with pytest.raises(ValidationError) as error:
        _resolve(complaint, staff, after_photos=[old])
    message = error.value.message_dict["photos"][0]
    assert "ก่อนรับเรื่อง" in message
    assert "taken before the complaint was filed" in message
    assert _snapshot(complaint) == before


def test_a_photo_500_m_from_the_pin_is_refused_without_a_reason(category, staff):
    complaint = _assigned(category, staff)
    before = _snapshot(complaint)
    with pytest.raises(ValidationError) as error:
        _resolve(complaint, staff, after_photos=[after_photo(taken_at=timezone.now(), gps=north_of_pin(500))])
    message = error.value.message_dict["photos"][0]
    assert re.search(r"taken (49\d|50\d) m from the pin, more than 200 m", message)
    assert _snapshot(complaint) == before


def test_a_far_photo_is_accepted_with_a_reason_kept_internal(category, staff):
    complaint = _assigned(category, staff)
    reason = "ถ่ายจากสะพานฝั่งตรงข้ามเพราะปิดถนนซ่อม"
    complaint = _resolve(
        complaint,
        staff,
        after_photos=[after_photo(taken_at=timezone.now(), gps=north_of_pin(500))],
        photo_exception_reason=reason,
    )
    assert complaint.status == S.RESOLVED
    assert complaint.photo_exception_reason == reason
    note = complaint.events.get(kind=ComplaintEvent.Kind.INTERNAL_NOTE)
    assert note.is_public is False
    assert reason in note.text
    assert all(reason not in e.text for e in selectors.public_timeline(complaint))


def test_the_town_sets_the_distance(category, staff):
    OssSettings.objects.update(after_photo_max_distance_m=600)
    complaint = _resolve(_assigned(category, staff), staff, after_photos=[after_photo(gps=north_of_pin(500))])
    assert (complaint.status, complaint.photo_exception_reason) == (S.RESOLVED, "")


def test_a_reason_without_a_far_photo_is_not_counted_as_an_exception(category, staff):
    complaint = _resolve(
        _assigned(category, staff),
        staff,
        after_photos=[after_photo(gps=north_of_pin(20))],
        photo_exception_reason="ไม่จำเป็น",
    )
    assert complaint.photo_exception_reason == ""


def test_a_category_without_the_rule_resolves_without_a_photo(in_town_a, staff):
    garbage = Category.objects.get(code="garbage")
    complaint = _resolve(_assigned(garbage, staff), staff)
    assert complaint.status == S.RESOLVED
    assert complaint.resolved_without_photo is True
    assert complaint.resolved_by == staff["officer"]


def test_an_after_photo_sent_with_a_public_reply_counts(category, staff):
    complaint = _assigned(category, staff)
    actions.add_public_reply(
        complaint_id=complaint.pk, by=staff["officer"], text="ซ่อมแล้ว ดูรูป", reply_photos=[after_photo()]
    )
    complaint = _resolve(complaint, staff)
    assert (complaint.status, complaint.resolved_without_photo) == (S.RESOLVED, False)


def test_after_a_reopening_the_old_photo_no_longer_counts(category, staff):
    complaint = _resolve(_assigned(category, staff), staff, after_photos=[after_photo()])
    actions.reopen_complaint(complaint_id=complaint.pk, reason="หลุมกลับมาอีก")
    with pytest.raises(ValidationError):
        _resolve(complaint, staff)
    assert Complaint.objects.get(pk=complaint.pk).status == S.REOPENED
    complaint = _resolve(complaint, staff, after_photos=[after_photo(name="again.jpg")])
    assert complaint.status == S.RESOLVED


def test_another_officer_cannot_resolve_even_with_a_photo(category, staff):
    complaint = _assigned(category, staff)
    with pytest.raises(PermissionDenied):
        actions.resolve_complaint(
            complaint_id=complaint.pk, by=staff["other_officer"], reply="done", after_photos=[after_photo()]
        )
    assert not ComplaintPhoto.objects.filter(kind="after").exists()


# --- the reporter's confirmation request and access link ------------------------------------------


def test_resolving_sends_a_confirmation_request_with_the_access_link_on_every_channel(category, staff):
    complaint = _assigned(category, staff)
    Complaint.objects.filter(pk=complaint.pk).update(reporter_line_id="U0123456789abcdef")
    complaint = _resolve(complaint, staff, after_photos=[after_photo()])
    link = f"/complaints/t/{complaint.access_token}/"
    requests = OutboxMessage.objects.filter(body__contains=link)
    assert set(requests.values_list("channel", "recipient")) == {
        ("sms", "0812345678"),
        ("email", "somchai@example.org"),
        ("line", "U0123456789abcdef"),
    }
    assert all("ยืนยันผล" in body and "7 วัน" in body for body in requests.values_list("body", flat=True))


def test_the_link_opens_the_tracking_page_and_lets_the_reporter_reopen(client_a, category, staff):
    complaint = _resolve(_assigned(category, staff), staff, after_photos=[after_photo()])
    response = client_a.get(f"/complaints/t/{complaint.access_token}/")
    assert response.status_code == 302
    assert response["Location"].startswith(f"/complaints/track/{complaint.tracking_code}/")
    page = client_a.get(f"/complaints/track/{complaint.tracking_code}/").content.decode()
    assert "confirm-button" in page
    reopened = client_a.post(f"/complaints/track/{complaint.tracking_code}/reopen/", {"reason": "ยังเป็นหลุม"})
    assert reopened.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.status, complaint.reopen_count) == (S.REOPENED, 1)
    # the resolver stays on record, so the reopening counts against them on the dashboard
    assert complaint.resolved_by == staff["officer"]


def test_a_wrong_token_opens_nothing(client_a, category, staff):
    complaint = _resolve(_assigned(category, staff), staff, after_photos=[after_photo()])
    assert client_a.get("/complaints/t/not-the-token/").status_code == 404
    assert client_a.post(f"/complaints/track/{complaint.tracking_code}/confirm/", {"rating": "5"}).status_code == 404
    assert Complaint.objects.get(pk=complaint.pk).status == S.RESOLVED


def test_the_link_of_one_case_does_not_open_another(client_a, category, staff):
    mine = _resolve(_assigned(category, staff), staff, after_photos=[after_photo()])
    theirs = _resolve(
        _assigned(category, staff, reporter_phone="0899998888"), staff, after_photos=[after_photo(name="b.jpg")]
    )
    client_a.get(f"/complaints/t/{mine.access_token}/")
    assert client_a.post(f"/complaints/track/{theirs.tracking_code}/confirm/", {"rating": "1"}).status_code == 404
    assert client_a.post(f"/complaints/track/{theirs.tracking_code}/reopen/", {"reason": "ไม่จริง"}).status_code == 404
    theirs.refresh_from_db()
    assert (theirs.status, theirs.rating, theirs.closure) == (S.RESOLVED, None, "")


def test_another_citizens_account_cannot_confirm(client_a, category, staff):
    owner = make_user(kind="citizen", phone="0812345678")
    complaint = _resolve(_assigned(category, staff), staff, after_photos=[after_photo()])
    Complaint.objects.filter(pk=complaint.pk).update(reporter_user=owner)
    client_a.force_login(make_user(kind="citizen", phone="0800000000"))
    assert client_a.post(f"/complaints/track/{complaint.tracking_code}/confirm/", {"rating": "5"}).status_code == 404
    assert Complaint.objects.get(pk=complaint.pk).status == S.RESOLVED
    client_a.force_login(owner)
    assert client_a.post(f"/complaints/track/{complaint.tracking_code}/confirm/", {"rating": "5"}).status_code == 302
    assert Complaint.objects.get(pk=complaint.pk).closure == Complaint.Closure.CONFIRMED


def test_confirm_closes_as_confirmed_and_twice_is_a_conflict(client_a, category, staff):
    complaint = _resolve(_assigned(category, staff), staff, after_photos=[after_photo()])
    client_a.get(f"/complaints/t/{complaint.access_token}/")
    url = f"/complaints/track/{complaint.tracking_code}/confirm/"
    assert client_a.post(url, {"rating": "9"}).status_code == 400
    assert client_a.post(url, {"rating": "abc"}).status_code == 400
    assert Complaint.objects.get(pk=complaint.pk).status == S.RESOLVED
    assert client_a.post(url, {"rating": "4", "comment": "ดีมาก"}).status_code == 302
    complaint.refresh_from_db()
    assert (complaint.status, complaint.closure, complaint.rating) == (S.CLOSED, "confirmed", 4)
    again = client_a.post(url, {"rating": "1"})
    assert again.status_code == 409
    assert "not awaiting your confirmation" in again.content.decode()
    complaint.refresh_from_db()
    assert complaint.rating == 4
    assert "ผู้แจ้งยืนยันผลการดำเนินงานแล้ว" in client_a.get(f"/complaints/track/{complaint.tracking_code}/").content.decode()


def test_reopening_after_the_window_is_refused(client_a, category, staff):
    complaint = _resolve(_assigned(category, staff), staff, after_photos=[after_photo()])
    Complaint.objects.filter(pk=complaint.pk).update(resolved_at=timezone.now() - dt.timedelta(days=8))
    client_a.get(f"/complaints/t/{complaint.access_token}/")
    response = client_a.post(f"/complaints/track/{complaint.tracking_code}/reopen/", {"reason": "ยังไม่ซ่อม"})
    assert response.status_code == 409
    assert "Reopen within 7 days" in response.content.decode()
    assert Complaint.objects.get(pk=complaint.pk).status == S.RESOLVED
    assert client_a.post(f"/complaints/track/{complaint.tracking_code}/reopen/", {"reason": " "}).status_code == 400


def test_silence_closes_without_confirmation_and_the_tracking_page_says_so(client_a, category, staff):
    complaint = _resolve(_assigned(category, staff), staff, after_photos=[after_photo()])
    recent = _resolve(
        _assigned(category, staff, reporter_phone="0899998888"), staff, after_photos=[after_photo(name="b.jpg")]
    )
    Complaint.objects.filter(pk=complaint.pk).update(resolved_at=timezone.now() - dt.timedelta(days=8))
    assert actions.close_confirmed_by_silence() == 1
    complaint.refresh_from_db()
    assert (complaint.status, complaint.closure) == (S.CLOSED, Complaint.Closure.UNCONFIRMED)
    assert Complaint.objects.get(pk=recent.pk).status == S.RESOLVED
    client_a.get(f"/complaints/t/{complaint.access_token}/")
    page = client_a.get(f"/complaints/track/{complaint.tracking_code}/").content.decode()
    assert "ปิดโดยไม่มีการยืนยันจากผู้แจ้ง" in page
    assert "confirm-button" not in page


# --- the back-office page and the staff API -------------------------------------------------------


def test_back_office_refusal_is_a_400_page_that_keeps_the_reply(client_a, category, staff):
    complaint = _assigned(category, staff)
    client_a.force_login(staff["officer"])
    response = client_a.post(f"/complaints/staff/{complaint.pk}/resolve/", {"reply": "ซ่อมหลุมแล้วครับ"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "ต้องแนบรูปหลังดำเนินการ" in body
    assert "ซ่อมหลุมแล้วครับ" in body
    assert Complaint.objects.get(pk=complaint.pk).status == S.ASSIGNED


def test_back_office_far_photo_with_reason_is_shown_internally(client_a, category, staff):
    complaint = _assigned(category, staff)
    client_a.force_login(staff["officer"])
    response = client_a.post(
        f"/complaints/staff/{complaint.pk}/resolve/",
        {
            "reply": "ซ่อมแล้ว",
            "photos": [after_photo(gps=north_of_pin(500))],
            "photo_exception_reason": "ถ่ายจากอีกฝั่งคลอง",
        },
    )
    assert response.status_code == 302
    page = client_a.get(f"/complaints/staff/{complaint.pk}/").content.decode()
    assert "photo-exception" in page
    assert "ถ่ายจากอีกฝั่งคลอง" in page


class _Api(APIClient):
    def request(self, **request):
        tenant, schema = getattr(connection, "tenant", None), connection.schema_name
        try:
            return super().request(**request)
        finally:
            if tenant is not None and schema != "public":
                connection.set_tenant(tenant)


def _api(user, host="alpha.localhost") -> APIClient:
    client = _Api(HTTP_HOST=host)
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(user)}")
    return client


def test_api_refuses_a_missing_photo_with_a_400_and_accepts_a_far_one_with_a_reason(category, staff):
    complaint = _assigned(category, staff)
    url = f"/api/v1/oss/complaints/{complaint.pk}/resolve/"
    refused = _api(staff["officer"]).post(url, {"reply": "ซ่อมแล้ว"}, format="json")
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "invalid"
    assert "This category needs" in str(error["fields"]["photos"])
    assert Complaint.objects.get(pk=complaint.pk).status == S.ASSIGNED
    far = _api(staff["officer"]).post(
        url, {"reply": "ซ่อมแล้ว", "photos": [after_photo(gps=north_of_pin(500))]}, format="multipart"
    )
    assert far.status_code == 400
    done = _api(staff["officer"]).post(
        url,
        {"reply": "ซ่อมแล้ว", "photos": [after_photo(gps=north_of_pin(500))], "photo_exception_reason": "ปิดถนน"},
        format="multipart",
    )
    assert done.status_code == 200, done.content
    body = done.json()
    assert (body["status"], body["resolved_by"], body["photo_exception_reason"]) == (
        "resolved",
        staff["officer"].username,
        "ปิดถนน",
    )
    assert body["resolved_without_photo"] is False


# --- across towns -----------------------------------------------------------------------------------


def test_staff_of_town_b_cannot_resolve_a_case_of_town_a(category, staff, town_a, town_b):
    complaint = _assigned(category, staff)
    connection.set_tenant(town_b)
    try:
        outsider = make_user(roles=("oss_officer", "department_head"))
        assert not Complaint.objects.exists()
        on_b = _api(outsider, host="beta.localhost").post(
            f"/api/v1/oss/complaints/{complaint.pk}/resolve/",
            {"reply": "ปิดแทน", "photos": [after_photo()]},
            format="multipart",
        )
        assert on_b.status_code == 404
        token = issue_token(outsider)  # a valid token of town B
    finally:
        connection.set_tenant(town_a)
    on_a = _Api(HTTP_HOST="alpha.localhost")
    on_a.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = on_a.post(f"/api/v1/oss/complaints/{complaint.pk}/resolve/", {"reply": "ปิดแทน"}, format="json")
    assert response.status_code == 401
    complaint.refresh_from_db()
    assert (complaint.status, complaint.resolved_by) == (S.ASSIGNED, None)


def test_the_access_link_of_town_a_means_nothing_on_town_b(client_b, category, staff):
    complaint = _resolve(_assigned(category, staff), staff, after_photos=[after_photo()])
    assert client_b.get(f"/complaints/t/{complaint.access_token}/").status_code == 404


def test_pin_distance_uses_the_complaints_own_pin(category, staff):
    # a case pinned elsewhere in town: the same photo is near it
    elsewhere = (INSIDE_A[0] + Decimal("0.004492"), INSIDE_A[1])
    complaint = _assigned(category, staff, latitude=elsewhere[0], longitude=elsewhere[1])
    complaint = _resolve(complaint, staff, after_photos=[after_photo(gps=north_of_pin(500))])
    assert (complaint.status, complaint.photo_exception_reason) == (S.RESOLVED, "")
