"""The officer's resolution with its proof ("after" photos, no ghost fixes), public replies and internal notes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from services.accounts.models import User
from services.common.buddhist_era import format_be_datetime
from services.common.workflow import move

from .. import photos
from ..models import (
    DESCRIPTION_MAX,
    Complaint,
    ComplaintEvent,
    ComplaintPhoto,
    OssSettings,
)
from ..selectors import distance_metres
from ..workflow import ASSIGN, TRANSITIONS, TRIAGE
from .common import S, clean_text, locked_complaint, may_work_on, store_photos, working_calendar
from .notices import notify_reporters, notify_status_changed


def _work_started(complaint: Complaint) -> dt.datetime:
    """When the current round of work began: the filing, or the reporter's last reopening."""
    if not complaint.reopen_count:
        return complaint.received_at
    return (
        complaint.events.filter(to_status=S.REOPENED)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
        or complaint.received_at
    )


def _metres_from_pin(complaint: Complaint, latitude, longitude) -> int | None:
    if latitude is None or longitude is None:
        return None
    return round(
        distance_metres(float(complaint.latitude), float(complaint.longitude), float(latitude), float(longitude))
    )


@dataclass
class _Evidence:
    without_photo: bool
    exception_reason: str  # stored only when a photo beyond the distance limit was accepted with it
    far_metres: list[int]


def _after_evidence(
    complaint: Complaint, cleaned: Sequence[photos.CleanPhoto], *, since: dt.datetime, reason: str
) -> _Evidence:
    """Check the "after" photos of a resolution; raises ValidationError({"photos": ...}).

    A photo counts when it was taken (EXIF DateTimeOriginal, when present) and uploaded after `since`
    and, when it carries a GPS position, lies within OssSettings.after_photo_max_distance_m of the pin
    (or the officer states why not). New uploads that fail are refused outright; AFTER photos already
    attached by a public reply since `since` count when they pass the same checks."""
    limit = OssSettings.current().after_photo_max_distance_m
    errors: list[str] = []
    far: list[int] = []
    taken_since = since.replace(microsecond=0)  # EXIF times have whole seconds
    for number, photo in enumerate(cleaned, 1):
        if photo.taken_at is not None and photo.taken_at < taken_since:
            errors.append(
                _(
                    "รูปที่ %(n)s ถ่ายเมื่อ %(taken)s ก่อนรับเรื่อง/เปิดเรื่องใหม่ (%(since)s) ใช้เป็นรูปหลังดำเนินการไม่ได้ "
                    "(Photo %(n)s was taken before the complaint was filed or reopened; it cannot show the finished work)"
                )
                % {"n": number, "taken": format_be_datetime(photo.taken_at), "since": format_be_datetime(since)}
            )
            continue
        metres = _metres_from_pin(complaint, photo.latitude, photo.longitude)
        if metres is not None and metres > limit:
            far.append(metres)
            if not reason:
                errors.append(
                    _(
                        "รูปที่ %(n)s ถ่ายห่างจากจุดที่แจ้ง %(m)s เมตร (เกิน %(limit)s เมตร) กรุณาระบุเหตุผล "
                        "(Photo %(n)s was taken %(m)s m from the pin, more than %(limit)s m; state the reason)"
                    )
                    % {"n": number, "m": metres, "limit": limit}
                )
    if errors:
        raise ValidationError({"photos": errors})
    near_earlier, far_earlier = 0, []
    earlier = (
        complaint.photos.filter(kind=ComplaintPhoto.Kind.AFTER, created_at__gte=since)
        .filter(Q(taken_at__isnull=True) | Q(taken_at__gte=taken_since))
        .values_list("latitude", "longitude")[:50]
    )
    for latitude, longitude in earlier:
        metres = _metres_from_pin(complaint, latitude, longitude)
        if metres is not None and metres > limit:
            far_earlier.append(metres)
        else:
            near_earlier += 1
    relies_on_far_earlier = not cleaned and not near_earlier and bool(far_earlier) and bool(reason)
    has_photo = bool(cleaned) or near_earlier > 0 or relies_on_far_earlier
    if complaint.category.requires_after_photo and not has_photo:
        message = _(
            "ประเภทเรื่องนี้ต้องแนบรูปหลังดำเนินการอย่างน้อย 1 รูป ที่ถ่ายหลังรับเรื่อง "
            "(This category needs at least one “after” photo taken after the complaint was filed)"
        )
        if far_earlier:
            message += " " + _(
                "รูปที่แนบไว้แล้วอยู่ห่างจากจุดที่แจ้งเกิน %(limit)s เมตร ระบุเหตุผลเพื่อใช้รูปนั้น "
                "(The photos already attached are more than %(limit)s m from the pin; state a reason to use them)"
            ) % {"limit": limit}
        raise ValidationError({"photos": [message]})
    if relies_on_far_earlier:
        far = far_earlier
    return _Evidence(without_photo=not has_photo, exception_reason=reason if far else "", far_metres=far)


def clean_after_evidence(after_photos: Sequence[UploadedFile], exception_reason: str) -> tuple[str, list]:
    """The officer's "after" photos and distance-exception reason, checked before any row is locked."""
    reason = clean_text(exception_reason, name="photo_exception_reason", required=False, max_length=500)
    try:
        return reason, photos.clean_photos(list(after_photos))
    except ValidationError as exc:
        raise ValidationError({"photos": exc.messages}) from exc


def record_resolution(
    complaint: Complaint,
    *,
    by: User,
    note: str,
    cleaned: Sequence[photos.CleanPhoto],
    reason: str,
    since: dt.datetime,
    measured_until: dt.datetime | None = None,
) -> None:
    """After `move(..., to=RESOLVED)`: check the "after" evidence (raises before anything is kept),
    stamp the resolution, keep the photos, note a distance exception, and send the reporter the
    confirmation request with their access link. Shared by the town's own fix and an outside
    agency's (`referrals.record_agency_result`), so both meet the same proof."""
    evidence = _after_evidence(complaint, cleaned, since=since, reason=reason)
    now = timezone.now()
    until = measured_until or now
    complaint.resolved_at = now
    complaint.resolution_working_hours = working_calendar(since, until).working_hours_between(since, until)
    complaint.resolved_by = by
    complaint.resolved_without_photo = evidence.without_photo
    complaint.photo_exception_reason = evidence.exception_reason
    complaint.closure = ""
    complaint.save()
    store_photos(complaint, cleaned, kind=ComplaintPhoto.Kind.AFTER, by=by, event=complaint._last_event)
    if evidence.exception_reason:
        ComplaintEvent.objects.create(
            complaint=complaint,
            kind=ComplaintEvent.Kind.INTERNAL_NOTE,
            is_public=False,
            by=by,
            text=_("ยกเว้นระยะรูปหลังดำเนินการ (%(m)s เมตรจากจุดที่แจ้ง): %(reason)s")
            % {"m": ", ".join(str(m) for m in evidence.far_metres), "reason": evidence.exception_reason},
        )
    days = OssSettings.current().reopen_days
    notify_status_changed(
        complaint,
        note=note,
        confirmation=_("กรุณายืนยันผล หรือขอเปิดเรื่องใหม่ภายใน %(n)s วัน ที่ลิงก์นี้") % {"n": days},
    )


@transaction.atomic
def resolve_complaint(
    *,
    complaint_id: int,
    by: User,
    reply: str,
    after_photos: Sequence[UploadedFile] = (),
    photo_exception_reason: str = "",
) -> Complaint:
    """Mark the work done with a public reply and "after" photos; the SLA clock stops here.

    Proof of resolution: where the category requires it, at least one "after" photo taken since the
    complaint was filed (or last reopened) and, when it carries a position, within the town's distance
    limit of the pin unless `photo_exception_reason` says why not (see `_after_evidence`). Every check
    runs before anything is written or stored. The reporter gets a confirmation request with their
    access link on every channel they gave."""
    reply = clean_text(reply, name="reply", max_length=DESCRIPTION_MAX)
    reason, cleaned = clean_after_evidence(after_photos, photo_exception_reason)
    complaint = locked_complaint(complaint_id)
    if not may_work_on(by, complaint):
        raise PermissionDenied(_("เรื่องนี้ไม่ได้มอบหมายให้ท่าน (This case is not assigned to you)"))
    started = _work_started(complaint)
    move(complaint, to=S.RESOLVED, by=by, transitions=TRANSITIONS, note=reply)
    record_resolution(complaint, by=by, note=reply, cleaned=cleaned, reason=reason, since=started)
    return complaint


@transaction.atomic
def add_public_reply(
    *, complaint_id: int, by: User, text: str, reply_photos: Sequence[UploadedFile] = ()
) -> ComplaintEvent:
    """A message the reporter sees on the tracking page and receives by SMS/email."""
    text = clean_text(text, name="text")
    cleaned = photos.clean_photos(list(reply_photos))
    complaint = locked_complaint(complaint_id)
    if not (by.has_perm(TRIAGE) or may_work_on(by, complaint)):
        raise PermissionDenied(_("คุณไม่มีสิทธิ์ทำรายการนี้ (You may not do this)"))
    event = ComplaintEvent.objects.create(
        complaint=complaint, kind=ComplaintEvent.Kind.PUBLIC_REPLY, text=text, is_public=True, by=by
    )
    complaint.save(update_fields=["updated_at"])  # versions the cached tracking page
    store_photos(complaint, cleaned, kind=ComplaintPhoto.Kind.AFTER, by=by, event=event)
    notify_reporters(complaint, key=f"reply{event.pk}", text=text)
    return event


@transaction.atomic
def add_internal_note(*, complaint_id: int, by: User, text: str) -> ComplaintEvent:
    """A note for colleagues only: never on the tracking page, the API for citizens, or Open311."""
    text = clean_text(text, name="text")
    complaint = locked_complaint(complaint_id)
    if not (by.has_perm(TRIAGE) or by.has_perm(ASSIGN) or may_work_on(by, complaint)):
        raise PermissionDenied(_("คุณไม่มีสิทธิ์ทำรายการนี้ (You may not do this)"))
    return ComplaintEvent.objects.create(
        complaint=complaint, kind=ComplaintEvent.Kind.INTERNAL_NOTE, text=text, is_public=False, by=by
    )
