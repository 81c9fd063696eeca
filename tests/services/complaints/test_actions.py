"""Filing, the life of a case, and the reporter's verdict, on real PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from services.common.models import OutboxMessage, StoredFile
from services.common.workflow import TransitionNotAllowed
from services.complaints import actions, selectors
from services.complaints.models import Complaint, ComplaintEvent, ComplaintPhoto
from services.complaints.workflow import ComplaintStatus as S

from .conftest import INSIDE_A, OUTSIDE_A, file_complaint, make_filing, photo_upload

pytestmark = pytest.mark.django_db


def _be_year() -> int:
    return timezone.localtime().year + 543


def test_tracking_codes_run_without_gaps_per_town_and_be_year(category):
    first = file_complaint(category)
    second = file_complaint(category)
    year = _be_year()
    assert first.tracking_code == f"ALP-{year}-000001"
    assert second.tracking_code == f"ALP-{year}-000002"


def test_filing_starts_the_clock_and_tells_the_reporter(category):
    complaint = file_complaint(category)
    assert complaint.status == S.RECEIVED
    assert complaint.due_at > complaint.received_at
    channels = set(
        OutboxMessage.objects.filter(recipient__in=["0812345678", "somchai@example.org"]).values_list(
            "channel", flat=True
        )
    )
    assert channels == {"sms", "email"}
    sms = OutboxMessage.objects.get(channel="sms")
    assert complaint.tracking_code in sms.body
    assert complaint.events.get().to_status == S.RECEIVED


def test_pin_outside_the_boundary_is_refused_and_nothing_is_saved(category):
    with pytest.raises(ValidationError) as error:
        file_complaint(category, latitude=OUTSIDE_A[0], longitude=OUTSIDE_A[1])
    assert "location" in error.value.message_dict
    assert "นอกเขต" in error.value.message_dict["location"][0]
    assert Complaint.objects.count() == 0
    assert OutboxMessage.objects.count() == 0


def test_missing_fields_are_all_reported_at_once(category):
    with pytest.raises(ValidationError) as error:
        actions.submit_complaint(
            filing=make_filing(
                category,
                description="  ",
                reporter_name="",
                reporter_phone="12",
                consent=False,
                latitude=None,
                longitude=None,
            )
        )
    assert {"description", "reporter_name", "reporter_phone", "consent", "location"} <= set(
        error.value.message_dict
    )


def test_anonymous_filing_is_refused_where_the_category_needs_a_name(in_town_a):
    from services.complaints.models import Category

    staff_conduct = Category.objects.get(code="staff")
    with pytest.raises(ValidationError) as error:
        file_complaint(staff_conduct, is_anonymous=True)
    assert "is_anonymous" in error.value.message_dict


def test_anonymous_filing_keeps_no_personal_data(category):
    complaint = file_complaint(category, is_anonymous=True)
    assert (complaint.reporter_name, complaint.reporter_phone, complaint.reporter_email) == ("", "", "")
    assert not OutboxMessage.objects.exists()


def test_photo_gps_becomes_the_pin_and_is_stripped(category):
    upload = photo_upload(gps=(12.7512, 100.9034))
    complaint = actions.submit_complaint(
        filing=make_filing(category, latitude=None, longitude=None), uploads=[upload]
    )
    assert complaint.location_source == Complaint.LocationSource.PHOTO
    assert abs(float(complaint.latitude) - 12.7512) < 1e-4
    assert abs(float(complaint.longitude) - 100.9034) < 1e-4
    stored = complaint.photos.get().file
    from PIL import Image

    with stored.file.open("rb") as handle, Image.open(handle) as image:
        exif = image.getexif()
        assert image.format == "JPEG"
        assert not exif.get_ifd(0x8825)
        assert 0x010F not in exif  # the camera make is gone too


def test_not_an_image_is_refused(category):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("x.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    with pytest.raises(ValidationError) as error:
        actions.submit_complaint(filing=make_filing(category), uploads=[fake])
    assert "photos" in error.value.message_dict
    assert Complaint.objects.count() == 0
    assert StoredFile.objects.count() == 0


def test_more_than_five_photos_are_refused(category):
    with pytest.raises(ValidationError) as error:
        actions.submit_complaint(filing=make_filing(category), uploads=[photo_upload() for _ in range(6)])
    assert "photos" in error.value.message_dict


def test_flood_from_one_ip_is_rate_limited(category):
    from services.complaints.models import OssSettings

    OssSettings.objects.update(submissions_per_ip_per_hour=3)
    for n in range(3):
        file_complaint(category, reporter_phone=f"08123400{n:02d}")
    with pytest.raises(actions.RateLimited):
        file_complaint(category, reporter_phone="0812340099")
    assert Complaint.objects.count() == 3


def test_flood_from_one_phone_is_rate_limited_across_ips(category):
    from services.complaints.models import OssSettings

    OssSettings.objects.update(submissions_per_phone_per_day=2)
    for ip in ("198.51.100.1", "198.51.100.2"):
        actions.submit_complaint(filing=make_filing(category), ip=ip)
    with pytest.raises(actions.RateLimited):
        actions.submit_complaint(filing=make_filing(category), ip="198.51.100.3")


def test_full_life_of_a_case(category, staff):
    complaint = file_complaint(category)
    actions.accept_complaint(complaint_id=complaint.pk, by=staff["oss"])
    actions.assign_complaint(complaint_id=complaint.pk, by=staff["head"], officer=staff["officer"])
    actions.start_work(complaint_id=complaint.pk, by=staff["officer"])
    actions.add_internal_note(complaint_id=complaint.pk, by=staff["officer"], text="ต้องใช้ยางมะตอย 2 ถุง")
    actions.resolve_complaint(
        complaint_id=complaint.pk,
        by=staff["officer"],
        reply="ซ่อมหลุมเรียบร้อยแล้ว",
        after_photos=[photo_upload(colour=(10, 200, 10))],
    )
    complaint.refresh_from_db()
    assert complaint.status == S.RESOLVED
    assert complaint.resolution_working_hours is not None
    assert complaint.photos.filter(kind=ComplaintPhoto.Kind.AFTER).count() == 1
    public = selectors.public_timeline(complaint)
    assert [e.to_status for e in public if e.kind == "status"] == [
        S.RECEIVED,
        S.ACCEPTED,
        S.ASSIGNED,
        S.IN_PROGRESS,
        S.RESOLVED,
    ]
    assert all("ยางมะตอย" not in e.text for e in public)
    actions.confirm_resolution(complaint_id=complaint.pk, rating=5, comment="เร็วมาก")
    complaint.refresh_from_db()
    assert (complaint.status, complaint.rating) == (S.CLOSED, 5)
    # every public change reached the reporter by SMS (their own confirmation excepted)
    assert OutboxMessage.objects.filter(channel="sms", recipient="0812345678").count() == 5


def test_officer_cannot_triage_or_work_on_a_case_of_someone_else(category, staff):
    complaint = file_complaint(category)
    with pytest.raises(PermissionDenied):
        actions.accept_complaint(complaint_id=complaint.pk, by=staff["officer"])
    actions.accept_complaint(complaint_id=complaint.pk, by=staff["oss"])
    actions.assign_complaint(complaint_id=complaint.pk, by=staff["head"], officer=staff["officer"])
    with pytest.raises(PermissionDenied):
        actions.resolve_complaint(complaint_id=complaint.pk, by=staff["other_officer"], reply="done")
    complaint.refresh_from_db()
    assert complaint.status == S.ASSIGNED


def test_head_of_another_department_cannot_assign(category, staff):
    complaint = file_complaint(category)
    actions.accept_complaint(complaint_id=complaint.pk, by=staff["oss"])
    with pytest.raises(PermissionDenied):
        actions.assign_complaint(
            complaint_id=complaint.pk, by=staff["foreign_head"], officer=staff["officer"]
        )


def test_resolving_a_received_case_skips_no_step(category, staff):
    complaint = file_complaint(category)
    with pytest.raises(TransitionNotAllowed):
        actions.resolve_complaint(complaint_id=complaint.pk, by=staff["head"], reply="done")


def test_reject_needs_a_reason_shown_to_the_reporter(category, staff):
    complaint = file_complaint(category)
    with pytest.raises(ValidationError):
        actions.reject_complaint(complaint_id=complaint.pk, by=staff["oss"], reason=" ")
    actions.reject_complaint(
        complaint_id=complaint.pk, by=staff["oss"], reason="อยู่ในความรับผิดชอบของกรมทางหลวง"
    )
    complaint.refresh_from_db()
    assert complaint.status == S.REJECTED
    assert any("กรมทางหลวง" in e.text for e in selectors.public_timeline(complaint))


def _resolved(category, staff) -> Complaint:
    complaint = file_complaint(category)
    actions.assign_complaint(complaint_id=complaint.pk, by=staff["head"], officer=staff["officer"])
    actions.resolve_complaint(
        complaint_id=complaint.pk, by=staff["officer"], reply="เสร็จแล้ว", after_photos=[photo_upload()]
    )
    return complaint


def test_reopen_within_seven_days_restarts_the_clock(category, staff):
    complaint = _resolved(category, staff)
    actions.reopen_complaint(complaint_id=complaint.pk, reason="ยังมีหลุมอยู่")
    complaint.refresh_from_db()
    assert (complaint.status, complaint.reopen_count, complaint.resolved_at) == (S.REOPENED, 1, None)
    # the road category needs a new "after" photo for the new round of work
    actions.resolve_complaint(
        complaint_id=complaint.pk, by=staff["officer"], reply="ซ่อมอีกครั้ง", after_photos=[photo_upload()]
    )


def test_reopen_after_seven_days_is_refused(category, staff):
    complaint = _resolved(category, staff)
    Complaint.objects.filter(pk=complaint.pk).update(resolved_at=timezone.now() - dt.timedelta(days=8))
    with pytest.raises(ValidationError):
        actions.reopen_complaint(complaint_id=complaint.pk, reason="ยังไม่เรียบร้อย")
    assert actions.close_confirmed_by_silence() == 1
    complaint.refresh_from_db()
    assert complaint.status == S.CLOSED


def test_rating_out_of_range_is_refused(category, staff):
    complaint = _resolved(category, staff)
    for bad in (0, 6):
        with pytest.raises(ValidationError):
            actions.confirm_resolution(complaint_id=complaint.pk, rating=bad)


def test_merged_reporter_hears_of_the_survivors_progress(category, staff):
    survivor = file_complaint(category)
    duplicate = file_complaint(category, reporter_phone="0899999999", latitude=survivor.latitude)
    assert duplicate in selectors.duplicate_candidates(survivor)
    actions.merge_complaint(complaint_id=duplicate.pk, into_id=survivor.pk, by=staff["oss"])
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into_id) == (S.MERGED, survivor.pk)
    actions.assign_complaint(complaint_id=survivor.pk, by=staff["head"], officer=staff["officer"])
    actions.resolve_complaint(
        complaint_id=survivor.pk, by=staff["officer"], reply="ซ่อมแล้ว", after_photos=[photo_upload()]
    )
    bodies = list(OutboxMessage.objects.filter(recipient="0899999999").values_list("body", flat=True))
    assert any("ซ่อมแล้ว" in body for body in bodies)


def test_duplicates_are_only_near_recent_and_same_category(category, staff, in_town_a):
    from decimal import Decimal

    from services.complaints.models import Category

    base = file_complaint(category)
    near = file_complaint(category, latitude=base.latitude + Decimal("0.0005"))  # ~55 m
    far = file_complaint(category, latitude=base.latitude + Decimal("0.0020"))  # ~220 m
    other_kind = file_complaint(Category.objects.get(code="garbage"))
    old = file_complaint(category)
    Complaint.objects.filter(pk=old.pk).update(received_at=base.received_at - dt.timedelta(days=8))
    found = selectors.duplicate_candidates(base)
    assert near in found
    assert far not in found
    assert other_kind not in found
    assert old not in found


def test_escalation_goes_to_the_head_then_the_executive(category, staff):
    complaint = file_complaint(category)
    actions.accept_complaint(complaint_id=complaint.pk, by=staff["oss"])
    Complaint.objects.filter(pk=complaint.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    assert actions.escalate_overdue() == 1
    assert actions.escalate_overdue() == 0  # once per level
    complaint.refresh_from_db()
    assert complaint.escalation_level == 1
    assert OutboxMessage.objects.filter(recipient="head@example.org").exists()
    assert not OutboxMessage.objects.filter(recipient="mayor@example.org").exists()
    Complaint.objects.filter(pk=complaint.pk).update(due_at=timezone.now() - dt.timedelta(days=10))
    assert actions.escalate_overdue() == 1
    assert OutboxMessage.objects.filter(recipient="mayor@example.org").exists()
    assert ComplaintEvent.objects.filter(complaint=complaint, kind="escalation", is_public=False).count() == 2


def test_volunteer_files_on_behalf_and_sees_only_their_own(category, staff):
    mine = actions.submit_complaint(
        filing=make_filing(category), channel=Complaint.Channel.BBUDDY, by=staff["volunteer"]
    )
    file_complaint(category)
    assert mine.filed_by == staff["volunteer"]
    assert list(selectors.complaints_visible_to(staff["volunteer"])) == [mine]


def test_citizens_cannot_file_on_staff_channels(category):
    from tests.factories import make_user

    citizen = make_user(kind="citizen")
    with pytest.raises(PermissionDenied):
        actions.submit_complaint(filing=make_filing(category), channel=Complaint.Channel.WALK_IN, by=citizen)


def test_visibility_by_role(category, staff):
    complaint = file_complaint(category)
    actions.assign_complaint(complaint_id=complaint.pk, by=staff["head"], officer=staff["officer"])
    assert complaint in selectors.complaints_visible_to(staff["officer"])
    assert complaint not in selectors.complaints_visible_to(staff["other_officer"])
    assert complaint in selectors.complaints_visible_to(staff["head"])
    assert complaint not in selectors.complaints_visible_to(staff["foreign_head"])
    assert complaint in selectors.complaints_visible_to(staff["executive"])


def test_tracking_lookup_needs_the_right_last_four_digits(category):
    complaint = file_complaint(category)
    assert (
        selectors.complaint_by_code_and_phone(tracking_code=complaint.tracking_code, phone_last4="5678")
        == complaint
    )
    assert (
        selectors.complaint_by_code_and_phone(
            tracking_code=complaint.tracking_code.lower(), phone_last4="5678"
        )
        == complaint
    )
    assert (
        selectors.complaint_by_code_and_phone(tracking_code=complaint.tracking_code, phone_last4="5679")
        is None
    )
    assert (
        selectors.complaint_by_code_and_phone(tracking_code=complaint.tracking_code, phone_last4="") is None
    )


def test_inside_point_on_the_boundary_edge_is_accepted(category):
    from decimal import Decimal

    complaint = file_complaint(category, latitude=Decimal("12.73"), longitude=INSIDE_A[1])
    assert complaint.pk
