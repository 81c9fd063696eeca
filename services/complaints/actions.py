"""Writes of One Stop Service: filing, triage, assignment, work, resolution, the reporter's verdict,
escalation. One transaction each; every status change goes through services.common.workflow.move()
and queues the reporter's notifications in the same transaction (services.common.outbox)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from services.accounts.models import Department, User
from services.common import outbox
from services.common.buddhist_era import be_year, format_be_datetime
from services.common.files.actions import store_upload
from services.common.links import town_url
from services.common.numbering import next_number
from services.common.thai_phone import normalize_thai_phone
from services.common.workflow import move

from . import geo, photos, rate_limit
from .models import (
    DESCRIPTION_MAX,
    Category,
    Community,
    Complaint,
    ComplaintEvent,
    ComplaintPhoto,
    LineConversation,
    Open311Client,
    OssSettings,
)
from .selectors import distance_metres
from .sla import BANGKOK, WorkingCalendar
from .workflow import ASSIGN, TRANSITIONS, TRIAGE, WORK, ComplaintStatus

S = ComplaintStatus
PUBLIC_CHANNELS = (Complaint.Channel.WEB, Complaint.Channel.OPEN311, Complaint.Channel.LINE)


class RateLimited(Exception):
    """Too many submissions from one IP address or phone number."""

    message = "ส่งเรื่องบ่อยเกินไป กรุณารอสักครู่แล้วลองใหม่ (Too many submissions; please try again later)"


@dataclass
class Filing:
    """What a reporter gives us, whatever the channel."""

    category: Category
    description: str
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    community: Community | None = None
    address_text: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    reporter_email: str = ""
    is_anonymous: bool = False
    consent: bool = False
    attributes: dict = field(default_factory=dict)


# --- helpers -------------------------------------------------------------------------------------


def _town():
    return connection.tenant


def tracking_url(complaint: Complaint) -> str:
    return town_url(f"/complaints/track/{complaint.tracking_code}/", _town())


def access_url(complaint: Complaint) -> str:
    """The reporter's own link: opens the tracking page without the look-up (complaint.access_token)."""
    return town_url(f"/complaints/t/{complaint.access_token}/", _town())


def _working_calendar(*moments: dt.datetime) -> WorkingCalendar:
    return WorkingCalendar.for_town(years={m.astimezone(BANGKOK).year for m in moments if m})


def _locked(complaint_id: int) -> Complaint:
    return (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("category", "department")
        .get(pk=complaint_id)
    )


def _require(user: User, permission: str) -> None:
    if user is None or not user.is_authenticated or not user.has_perm(permission):
        raise PermissionDenied(_("คุณไม่มีสิทธิ์ทำรายการนี้ (You may not do this)"))


def _is_head_of(user: User, department: Department | None) -> bool:
    if department is None:
        return False
    return department.head_id == user.pk or (user.department_id == department.pk and user.has_perm(ASSIGN))


def _may_work_on(user: User, complaint: Complaint) -> bool:
    if complaint.assigned_to_id == user.pk or _is_head_of(user, complaint.department):
        return True
    return user.has_perm("complaints.view_all_complaints") and user.has_perm(ASSIGN)


def _clean_text(
    value: str, *, name: str, required: bool = True, max_length: int = DESCRIPTION_MAX, min_length: int = 1
) -> str:
    text = (value or "").strip()
    if required and len(text) < min_length:
        raise ValidationError({name: _("กรุณากรอกข้อมูลนี้ (This field is required)")}, code="required")
    if len(text) > max_length:
        raise ValidationError(
            {name: _("ยาวเกิน %(n)s ตัวอักษร (Longer than %(n)s characters)") % {"n": max_length}},
            code="max_length",
        )
    return text


def _notify_reporters(complaint: Complaint, *, key: str, text: str, confirmation: str = "") -> None:
    """One message per channel to the reporter of this case and of every case merged into it.

    With `confirmation`, this case's own reporter gets that request and their access link (which opens
    the tracking page directly) instead of the plain tracking address."""
    town = _town()
    subject = f"[{town.short_code}] {complaint.tracking_code}"
    cases = [complaint, *Complaint.objects.filter(merged_into=complaint)]
    for case in cases:
        body = f"{town.name_th}: {text}\n{case.tracking_code} — {tracking_url(case)}"
        if confirmation and case.pk == complaint.pk:
            body = f"{town.name_th}: {text}\n{confirmation}\n{case.tracking_code} — {access_url(case)}"
        if case.reporter_phone:
            outbox.enqueue(
                channel="sms",
                recipient=case.reporter_phone,
                body=body,
                key=f"oss:{case.pk}:{key}:sms",
                subject=subject,
            )
        if case.reporter_email:
            outbox.enqueue(
                channel="email",
                recipient=case.reporter_email,
                body=body,
                key=f"oss:{case.pk}:{key}:email",
                subject=subject,
            )
        if case.reporter_line_id:
            outbox.enqueue(
                channel="line",
                recipient=case.reporter_line_id,
                body=body,
                key=f"oss:{case.pk}:{key}:line",
                subject=subject,
            )


def _status_changed(complaint: Complaint, note: str = "", confirmation: str = "") -> None:
    event = getattr(complaint, "_last_event", None)
    label = S(complaint.status).label
    text = _("สถานะเรื่องของท่าน: %(status)s") % {"status": label}
    if note:
        text += f"\n{note}"
    key = f"event{event.pk if event else complaint.status}"
    _notify_reporters(complaint, key=key, text=text, confirmation=confirmation)
    # People who said "me too" hear of the new status too, without the note (it may be about the reporter).
    from .board import notify_supporters

    notify_supporters(complaint, key=key, text=_("สถานะเรื่องที่ท่านพบด้วย: %(status)s") % {"status": label})


def _store_photos(
    complaint: Complaint,
    cleaned: Sequence[photos.CleanPhoto],
    *,
    kind: str,
    by,
    event: ComplaintEvent | None = None,
) -> None:
    for photo in cleaned:
        stored = store_upload(
            photo.upload,
            purpose="complaints",
            by=by,
            public=False,
            allowed_types=("image/jpeg",),
            max_bytes=photos.MAX_UPLOAD_BYTES,
        )
        ComplaintPhoto.objects.create(
            complaint=complaint,
            event=event,
            file=stored,
            kind=kind,
            width=photo.width,
            height=photo.height,
            latitude=photo.latitude,
            longitude=photo.longitude,
            taken_at=photo.taken_at,
        )


# --- filing --------------------------------------------------------------------------------------


def attribute_answers(category: Category, data) -> tuple[dict, list[str]]:
    """Answers to a category's extra questions from form data (`attribute[code]`, lists as
    `attribute[code][]`, the Open311 convention); returns (answers, codes missing or invalid)."""
    answers, invalid = {}, []
    for attribute in category.attributes.all():
        if attribute.datatype == "multivaluelist":
            value = data.getlist(f"attribute[{attribute.code}][]") or data.getlist(
                f"attribute[{attribute.code}]"
            )
            value = [str(v).strip()[:100] for v in value if str(v).strip()][:50]
        else:
            value = str(data.get(f"attribute[{attribute.code}]", "")).strip()[:500]
        allowed = {str(v.get("key")) for v in (attribute.values or [])}
        chosen = value if isinstance(value, list) else [value]
        if (attribute.required and not value) or (
            value and allowed and any(v not in allowed for v in chosen)
        ):
            invalid.append(attribute.code)
        elif value:
            answers[attribute.code] = value
    return answers, invalid


def check_submission_rate(*, ip: str, phone: str) -> None:
    """Refuse floods of submissions per IP (hourly) and per phone (daily); limits are per town."""
    limits = OssSettings.current()
    if not rate_limit.hit("ip", ip, limit=limits.submissions_per_ip_per_hour, window_seconds=3600):
        raise RateLimited
    digits = normalize_thai_phone(phone)
    if digits and not rate_limit.hit(
        "phone", digits, limit=limits.submissions_per_phone_per_day, window_seconds=86400
    ):
        raise RateLimited


def validate_filing(
    filing: Filing, *, uploads: Sequence[UploadedFile] = (), channel: str
) -> list[photos.CleanPhoto]:
    """Everything that can be checked before writing; returns the cleaned photos. Raises ValidationError."""
    errors: dict[str, list] = {}
    category = filing.category
    if category is None or not category.is_active:
        errors.setdefault("category", []).append(_("กรุณาเลือกประเภทเรื่อง (Choose a category)"))
    try:
        filing.description = _clean_text(filing.description, name="description", min_length=5)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    filing.address_text = (filing.address_text or "").strip()[:300]
    if filing.is_anonymous:
        if category is not None and not category.allow_anonymous:
            errors.setdefault("is_anonymous", []).append(
                _("ประเภทนี้ต้องระบุชื่อและเบอร์โทรผู้แจ้ง (This category needs the reporter's name and phone)")
            )
        filing.reporter_name = filing.reporter_phone = filing.reporter_email = ""
    else:
        filing.reporter_name = (filing.reporter_name or "").strip()[:200]
        if not filing.reporter_name:
            errors.setdefault("reporter_name", []).append(_("กรุณากรอกชื่อผู้แจ้ง (Enter the reporter's name)"))
        phone = normalize_thai_phone(filing.reporter_phone or "")
        if filing.reporter_phone and not phone:
            errors.setdefault("reporter_phone", []).append(
                _("หมายเลขโทรศัพท์ไม่ถูกต้อง (Not a valid Thai phone number)")
            )
        filing.reporter_phone = phone
        filing.reporter_email = (filing.reporter_email or "").strip()
        if not phone and not (channel == Complaint.Channel.OPEN311 and filing.reporter_email):
            errors.setdefault("reporter_phone", []).append(
                _("กรุณากรอกเบอร์โทรศัพท์สำหรับติดตามเรื่อง (Enter a phone number to track the request)")
            )
        if channel in (Complaint.Channel.WEB, Complaint.Channel.BBUDDY) and not filing.consent:
            errors.setdefault("consent", []).append(
                _("กรุณายินยอมให้ใช้ข้อมูลส่วนบุคคลเพื่อดำเนินการเรื่องนี้ (Consent is needed to process your data)")
            )
    cleaned: list[photos.CleanPhoto] = []
    try:
        cleaned = photos.clean_photos(list(uploads))
    except ValidationError as exc:
        errors.setdefault("photos", []).extend(exc.messages)
    if filing.latitude is None or filing.longitude is None:
        suggested = next((p for p in cleaned if p.latitude is not None), None)
        if suggested is not None:
            filing.latitude, filing.longitude = suggested.latitude, suggested.longitude
            filing.attributes = {**filing.attributes, "_location_from_photo": True}
        else:
            errors.setdefault("location", []).append(_("กรุณาปักหมุดตำแหน่งบนแผนที่ (Pin the location on the map)"))
    if filing.latitude is not None and filing.longitude is not None:
        try:
            geo.require_inside_boundary(_town(), filing.latitude, filing.longitude)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return cleaned


def submit_complaint(
    *,
    filing: Filing,
    channel: str = Complaint.Channel.WEB,
    uploads: Sequence[UploadedFile] = (),
    by: User | None = None,
    ip: str = "",
    open311_client: Open311Client | None = None,
    line_user_id: str = "",
) -> Complaint:
    """File a complaint: validate everything, number it, start the SLA clock, tell the reporter.

    Staff channels (walk-in, phone) need `complaints.file_on_behalf`; B-Buddy volunteers file with
    the same permission and are recorded as `filed_by` ("assisted by")."""
    user = by if (by is not None and by.is_authenticated) else None
    if channel in (Complaint.Channel.WALK_IN, Complaint.Channel.PHONE, Complaint.Channel.BBUDDY):
        _require(user, "complaints.file_on_behalf")
    cleaned = validate_filing(filing, uploads=uploads, channel=channel)
    if channel in PUBLIC_CHANNELS:
        check_submission_rate(ip=ip, phone=filing.reporter_phone)
    return _create(
        filing=filing,
        channel=channel,
        cleaned=cleaned,
        user=user,
        open311_client=open311_client,
        line_user_id=line_user_id,
    )


def open_case(complaint: Complaint, *, by, cleaned: Sequence[photos.CleanPhoto], now: dt.datetime) -> Complaint:
    """Number and save a new case (the gapless `<TOWN>-<BE year>-<000123>` code), write its first
    timeline line and keep its report photos. Every way a case comes in goes through here: filing on
    any channel, and a copy referred by another town (referrals.receive_referral)."""
    number = next_number("complaint", be_year(now))
    complaint.tracking_code = f"{_town().short_code}-{be_year(now)}-{number:06d}"
    complaint.received_at = now
    complaint.due_at = _working_calendar(now).add_working_hours(now, complaint.category.sla_hours)
    complaint.save()
    event = ComplaintEvent.objects.create(
        complaint=complaint,
        kind=ComplaintEvent.Kind.STATUS,
        from_status="",
        to_status=S.RECEIVED,
        is_public=True,
        by=by,
        created_at=now,
    )
    _store_photos(complaint, cleaned, kind=ComplaintPhoto.Kind.REPORT, by=by, event=event)
    return complaint


@transaction.atomic
def _create(*, filing: Filing, channel: str, cleaned, user, open311_client, line_user_id) -> Complaint:
    now = timezone.now()
    location_from_photo = filing.attributes.pop("_location_from_photo", False)
    complaint = Complaint(
        category=filing.category,
        community=filing.community,
        description=filing.description,
        latitude=filing.latitude,
        longitude=filing.longitude,
        address_text=filing.address_text,
        location_source=(
            Complaint.LocationSource.PHOTO
            if location_from_photo
            else Complaint.LocationSource.API
            if channel == Complaint.Channel.OPEN311
            else Complaint.LocationSource.PIN
        ),
        attributes=filing.attributes,
        is_anonymous=filing.is_anonymous,
        reporter_name=filing.reporter_name,
        reporter_phone=filing.reporter_phone,
        reporter_email=filing.reporter_email,
        reporter_line_id=line_user_id,
        reporter_user=user if (user is not None and user.kind == User.Kind.CITIZEN) else None,
        consent_at=now
        if (filing.consent or channel in (Complaint.Channel.OPEN311, Complaint.Channel.LINE))
        else None,
        channel=channel,
        filed_by=user if (user is not None and user.kind == User.Kind.STAFF) else None,
        open311_client=open311_client,
        department=filing.category.department,
    )
    open_case(complaint, by=user, cleaned=cleaned, now=now)
    _notify_reporters(
        complaint,
        key="received",
        text=_("ได้รับเรื่อง “%(category)s” แล้ว เลขติดตามเรื่องของท่านคือ %(code)s")
        % {"category": filing.category.name_th, "code": complaint.tracking_code},
    )
    return complaint


# --- triage --------------------------------------------------------------------------------------


@transaction.atomic
def accept_complaint(
    *, complaint_id: int, by: User, department: Department | None = None, note: str = ""
) -> Complaint:
    """OSS officer takes the case in and routes it to a department."""
    complaint = _locked(complaint_id)
    move(complaint, to=S.ACCEPTED, by=by, transitions=TRANSITIONS, note=note[:500])
    complaint.department = department or complaint.department or complaint.category.department
    complaint.save()
    _status_changed(complaint)
    return complaint


@transaction.atomic
def reject_complaint(*, complaint_id: int, by: User, reason: str) -> Complaint:
    """Refuse a case with a reason the reporter sees (not our town's job, not a complaint, abusive)."""
    reason = _clean_text(reason, name="reason", max_length=1000)
    complaint = _locked(complaint_id)
    move(complaint, to=S.REJECTED, by=by, transitions=TRANSITIONS, note=reason)
    complaint.closed_at = timezone.now()
    complaint.save()
    _status_changed(complaint, note=reason)
    return complaint


@transaction.atomic
def merge_complaint(*, complaint_id: int, into_id: int, by: User) -> Complaint:
    """Close a duplicate into the surviving case; its reporter keeps hearing of the survivor's progress."""
    if complaint_id == into_id:
        raise ValidationError({"into": _("รวมเรื่องกับตัวเองไม่ได้ (Cannot merge a case into itself)")})
    first, second = sorted([complaint_id, into_id])  # lock in a fixed order: no deadlock with a reverse merge
    locked = {c.pk: c for c in Complaint.objects.select_for_update().filter(pk__in=[first, second])}
    if len(locked) != 2:
        raise ValidationError({"into": _("ไม่พบเรื่องที่จะรวม (Case to merge into not found)")})
    duplicate, survivor = locked[complaint_id], locked[into_id]
    if not survivor.is_open and survivor.status != S.RESOLVED:
        raise ValidationError({"into": _("เรื่องปลายทางปิดไปแล้ว (The target case is closed)")})
    note = _("รวมกับเรื่อง %(code)s") % {"code": survivor.tracking_code}
    move(duplicate, to=S.MERGED, by=by, transitions=TRANSITIONS, note=note)
    duplicate.merged_into = survivor
    duplicate.closed_at = timezone.now()
    duplicate.save()
    # Triage's count of people affected: the duplicate's reporter and its "me too" supporters join
    # the survivor (a person who supported both is counted twice; their messages still go once each).
    survivor.supporter_count = survivor.supporter_count + 1 + duplicate.supporter_count
    survivor.save(update_fields=["supporter_count", "updated_at"])
    ComplaintEvent.objects.create(
        complaint=survivor,
        kind=ComplaintEvent.Kind.MERGE,
        by=by,
        is_public=False,
        text=_("รวมเรื่อง %(code)s เข้ามา") % {"code": duplicate.tracking_code},
    )
    _notify_reporters(
        duplicate,
        key="merged",
        text=_("เรื่องของท่านซ้ำกับเรื่อง %(code)s ที่กำลังดำเนินการ ท่านจะได้รับแจ้งความคืบหน้าของเรื่องนั้น")
        % {"code": survivor.tracking_code},
    )
    return duplicate


@transaction.atomic
def recategorise_complaint(*, complaint_id: int, by: User, category: Category) -> Complaint:
    """Change the category (and with it the department and SLA target) while the case is open."""
    _require(by, TRIAGE)
    complaint = _locked(complaint_id)
    if not complaint.is_open:
        raise ValidationError({"category": _("เรื่องนี้ปิดแล้ว (This case is closed)")})
    if not category.is_active:
        raise ValidationError({"category": _("ประเภทนี้ถูกปิดใช้งาน (This category is inactive)")})
    old = complaint.category
    complaint.category = category
    if complaint.status in (S.RECEIVED, S.ACCEPTED):
        complaint.department = category.department or complaint.department
    complaint.due_at = _working_calendar(complaint.received_at).add_working_hours(
        complaint.received_at, category.sla_hours
    )
    complaint.save()
    ComplaintEvent.objects.create(
        complaint=complaint,
        kind=ComplaintEvent.Kind.RECATEGORISE,
        by=by,
        is_public=True,
        text=f"{old.name_th} → {category.name_th}",
    )
    return complaint


# --- assignment and work -------------------------------------------------------------------------


@transaction.atomic
def assign_complaint(*, complaint_id: int, by: User, officer: User, note: str = "") -> Complaint:
    """A department head (or the OSS centre with town-wide rights) gives the case to one officer."""
    complaint = _locked(complaint_id)
    if not (
        by.has_perm("complaints.view_all_complaints")
        or _is_head_of(by, complaint.department)
        or complaint.department is None
    ):
        raise PermissionDenied(_("มอบหมายได้เฉพาะเรื่องของกองตนเอง (Only cases of your own department)"))
    if not (officer.is_active and officer.is_staff_member and officer.has_perm(WORK)):
        raise ValidationError(
            {"officer": _("ผู้รับมอบหมายต้องเป็นเจ้าหน้าที่ที่ปฏิบัติงานได้ (Not an officer who can work on cases)")}
        )
    move(complaint, to=S.ASSIGNED, by=by, transitions=TRANSITIONS, note="")
    complaint.assigned_to = officer
    if complaint.department is None:
        complaint.department = officer.department or by.department
    complaint.save()
    ComplaintEvent.objects.create(
        complaint=complaint,
        kind=ComplaintEvent.Kind.ASSIGNMENT,
        by=by,
        is_public=False,
        text=f"{officer.display_name}" + (f": {note[:500]}" if note else ""),
    )
    _status_changed(complaint)
    if officer.email:
        outbox.enqueue(
            channel="email",
            recipient=officer.email,
            subject=f"[{_town().short_code}] {complaint.tracking_code}",
            body=_("ท่านได้รับมอบหมายเรื่อง %(code)s: %(text)s")
            % {"code": complaint.tracking_code, "text": complaint.description[:300]},
            key=f"oss:{complaint.pk}:assigned:{complaint._last_event.pk}:officer",
        )
    return complaint


@transaction.atomic
def start_work(*, complaint_id: int, by: User) -> Complaint:
    """The officer says work has begun (shown to the reporter)."""
    complaint = _locked(complaint_id)
    if not _may_work_on(by, complaint):
        raise PermissionDenied(_("เรื่องนี้ไม่ได้มอบหมายให้ท่าน (This case is not assigned to you)"))
    move(complaint, to=S.IN_PROGRESS, by=by, transitions=TRANSITIONS)
    complaint.save()
    _status_changed(complaint)
    return complaint


# --- proof of resolution (no ghost fixes) --------------------------------------------------------


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
    reason = _clean_text(exception_reason, name="photo_exception_reason", required=False, max_length=500)
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
    complaint.resolution_working_hours = _working_calendar(since, until).working_hours_between(since, until)
    complaint.resolved_by = by
    complaint.resolved_without_photo = evidence.without_photo
    complaint.photo_exception_reason = evidence.exception_reason
    complaint.closure = ""
    complaint.save()
    _store_photos(complaint, cleaned, kind=ComplaintPhoto.Kind.AFTER, by=by, event=complaint._last_event)
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
    _status_changed(
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
    reply = _clean_text(reply, name="reply", max_length=DESCRIPTION_MAX)
    reason, cleaned = clean_after_evidence(after_photos, photo_exception_reason)
    complaint = _locked(complaint_id)
    if not _may_work_on(by, complaint):
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
    text = _clean_text(text, name="text")
    cleaned = photos.clean_photos(list(reply_photos))
    complaint = _locked(complaint_id)
    if not (by.has_perm(TRIAGE) or _may_work_on(by, complaint)):
        raise PermissionDenied(_("คุณไม่มีสิทธิ์ทำรายการนี้ (You may not do this)"))
    event = ComplaintEvent.objects.create(
        complaint=complaint, kind=ComplaintEvent.Kind.PUBLIC_REPLY, text=text, is_public=True, by=by
    )
    complaint.save(update_fields=["updated_at"])  # versions the cached tracking page
    _store_photos(complaint, cleaned, kind=ComplaintPhoto.Kind.AFTER, by=by, event=event)
    _notify_reporters(complaint, key=f"reply{event.pk}", text=text)
    return event


@transaction.atomic
def add_internal_note(*, complaint_id: int, by: User, text: str) -> ComplaintEvent:
    """A note for colleagues only: never on the tracking page, the API for citizens, or Open311."""
    text = _clean_text(text, name="text")
    complaint = _locked(complaint_id)
    if not (by.has_perm(TRIAGE) or by.has_perm(ASSIGN) or _may_work_on(by, complaint)):
        raise PermissionDenied(_("คุณไม่มีสิทธิ์ทำรายการนี้ (You may not do this)"))
    return ComplaintEvent.objects.create(
        complaint=complaint, kind=ComplaintEvent.Kind.INTERNAL_NOTE, text=text, is_public=False, by=by
    )


# --- the reporter's verdict ----------------------------------------------------------------------


@transaction.atomic
def confirm_resolution(*, complaint_id: int, rating: int, comment: str = "") -> Complaint:
    """The reporter agrees the work is done and rates it 1–5; the case closes."""
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": _("ให้คะแนน 1 ถึง 5 (Rate from 1 to 5)")})
    comment = _clean_text(comment, name="comment", required=False, max_length=500)
    complaint = _locked(complaint_id)
    move(complaint, to=S.CLOSED, by=None, transitions=TRANSITIONS, note="")
    complaint.rating, complaint.rating_comment = rating, comment
    complaint.closed_at = timezone.now()
    complaint.closure = Complaint.Closure.CONFIRMED
    complaint.save()
    ComplaintEvent.objects.create(
        complaint=complaint,
        kind=ComplaintEvent.Kind.RATING,
        is_public=False,
        text=f"{rating}/5 {comment}".strip(),
    )
    return complaint


@transaction.atomic
def reopen_complaint(*, complaint_id: int, reason: str) -> Complaint:
    """The reporter is not satisfied: within the reopening period the case goes back to work."""
    reason = _clean_text(reason, name="reason", max_length=1000)
    complaint = _locked(complaint_id)
    limit = OssSettings.current().reopen_days
    if (
        complaint.status != S.RESOLVED
        or not complaint.resolved_at
        or timezone.now() > complaint.resolved_at + dt.timedelta(days=limit)
    ):
        raise ValidationError(
            {
                "reason": _(
                    "เปิดเรื่องใหม่ได้ภายใน %(n)s วันหลังดำเนินการแล้ว (Reopen within %(n)s days of resolution)"
                )
                % {"n": limit}
            }
        )
    move(complaint, to=S.REOPENED, by=None, transitions=TRANSITIONS, note=reason)
    now = timezone.now()
    complaint.reopen_count += 1
    complaint.escalation_level = 0
    complaint.resolved_at = None
    complaint.resolution_working_hours = None
    complaint.due_at = _working_calendar(now).add_working_hours(now, complaint.category.sla_hours)
    complaint.save()
    _status_changed(complaint, note=reason)
    if complaint.assigned_to and complaint.assigned_to.email:
        outbox.enqueue(
            channel="email",
            recipient=complaint.assigned_to.email,
            subject=f"[{_town().short_code}] {complaint.tracking_code}",
            body=_("ผู้แจ้งเปิดเรื่อง %(code)s ใหม่: %(reason)s")
            % {"code": complaint.tracking_code, "reason": reason},
            key=f"oss:{complaint.pk}:reopened:{complaint.reopen_count}:officer",
        )
    return complaint


# --- periodic work -------------------------------------------------------------------------------


def _heads_of(department: Department | None) -> list[User]:
    people = User.objects.filter(is_active=True, kind=User.Kind.STAFF, groups__name="department_head")
    if department is not None:
        people = people.filter(Q(department=department) | Q(pk=department.head_id))
    return list(people.distinct())


def _executives() -> list[User]:
    return list(
        User.objects.filter(is_active=True, kind=User.Kind.STAFF, groups__name="executive").distinct()
    )


def escalate_overdue(*, now: dt.datetime | None = None) -> int:
    """Overdue open cases go up one level: to the department head, then (one more target later)
    to the executives. Each step is written once and notifies by email and SMS; returns cases moved."""
    now = now or timezone.now()
    moved = 0
    for complaint_id in (
        Complaint.objects.overdue(now).filter(escalation_level__lt=2).values_list("pk", flat=True)
    ):
        with transaction.atomic():
            complaint = _locked(complaint_id)
            if not complaint.is_overdue or complaint.escalation_level >= 2:
                continue
            if complaint.escalation_level == 1:
                # Executives hear of it once it is late by a second full target period.
                second_due = _working_calendar(complaint.due_at, now).add_working_hours(
                    complaint.due_at, complaint.category.sla_hours
                )
                if now < second_due:
                    continue
            level = complaint.escalation_level + 1
            people = _heads_of(complaint.department) if level == 1 else _executives()
            complaint.escalation_level, complaint.escalated_at = level, now
            complaint.save(update_fields=["escalation_level", "escalated_at", "updated_at"])
            names = ", ".join(p.display_name for p in people) or _("(ไม่พบผู้รับ)")
            ComplaintEvent.objects.create(
                complaint=complaint,
                kind=ComplaintEvent.Kind.ESCALATION,
                is_public=False,
                text=_("เกินกำหนด แจ้ง%(who)s: %(names)s")
                % {"who": _("หัวหน้ากอง") if level == 1 else _("ผู้บริหาร"), "names": names},
            )
            body = _("เรื่อง %(code)s (%(category)s) เกินกำหนดแล้ว กำหนดเสร็จ %(due)s") % {
                "code": complaint.tracking_code,
                "category": complaint.category.name_th,
                "due": complaint.due_at.astimezone(BANGKOK).strftime("%d/%m/%Y %H:%M"),
            }
            for person in people:
                for channel, recipient in (("email", person.email), ("sms", person.phone)):
                    outbox.enqueue(
                        channel=channel,
                        recipient=recipient,
                        body=body,
                        subject=f"[{_town().short_code}] {complaint.tracking_code}",
                        key=f"oss:{complaint.pk}:escalate{level}:{complaint.reopen_count}:{person.pk}:{channel}",
                    )
            moved += 1
    return moved


def close_confirmed_by_silence(*, now: dt.datetime | None = None) -> int:
    """Resolved cases the reporter neither confirmed nor reopened within the period close by themselves."""
    now = now or timezone.now()
    limit = now - dt.timedelta(days=OssSettings.current().reopen_days)
    closed = 0
    for complaint_id in Complaint.objects.filter(status=S.RESOLVED, resolved_at__lt=limit).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            complaint = _locked(complaint_id)
            if complaint.status != S.RESOLVED or not complaint.resolved_at or complaint.resolved_at >= limit:
                continue
            move(
                complaint,
                to=S.CLOSED,
                by=None,
                transitions=TRANSITIONS,
                note=_("ปิดโดยไม่มีการยืนยันจากผู้แจ้ง (ครบกำหนดเปิดเรื่องใหม่)"),
            )
            complaint.closed_at = now
            complaint.closure = Complaint.Closure.UNCONFIRMED
            complaint.save()
            closed += 1
    return closed


# --- settings ------------------------------------------------------------------------------------


def issue_open311_key(*, name: str, by: User, contact_email: str = "") -> tuple[Open311Client, str]:
    """A new Open311 api_key for one client app; the key is returned once and only its hash is kept."""
    _require(by, "complaints.manage_oss_settings")
    name = _clean_text(name, name="name", max_length=200)
    key = secrets.token_urlsafe(30)
    client = Open311Client.objects.create(
        name=name,
        contact_email=contact_email,
        key_prefix=key[:8],
        key_hash=hashlib.sha256(key.encode()).hexdigest(),
        created_by=by,
    )
    return client, key


def client_for_key(api_key: str) -> Open311Client | None:
    if not api_key:
        return None
    client = Open311Client.objects.filter(
        key_hash=hashlib.sha256(api_key.encode()).hexdigest(), is_active=True
    ).first()
    if client is not None:
        Open311Client.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
    return client


def revoke_open311_key(*, client_id: int, by: User) -> None:
    _require(by, "complaints.manage_oss_settings")
    Open311Client.objects.filter(pk=client_id).update(is_active=False)


def remember_line_text(*, line_user_id: str, text: str) -> None:
    LineConversation.objects.update_or_create(
        line_user_id=line_user_id, defaults={"draft_text": text.strip()[:DESCRIPTION_MAX]}
    )


def take_line_draft(*, line_user_id: str) -> str:
    conversation = LineConversation.objects.filter(line_user_id=line_user_id).first()
    if conversation is None:
        return ""
    text = conversation.draft_text
    conversation.delete()
    return text


@transaction.atomic
def set_community_location(*, community_id: int, by: User, latitude, longitude) -> Community:
    """Place a community (or clear its place with two empty values); the point must be in the town."""
    _require(by, "complaints.manage_oss_settings")
    community = Community.objects.select_for_update().get(pk=community_id)
    if str(latitude).strip() == "" and str(longitude).strip() == "":
        community.latitude = community.longitude = None
    else:
        community.latitude = geo.parse_coordinate(latitude, low=-90, high=90, name="latitude")
        community.longitude = geo.parse_coordinate(longitude, low=-180, high=180, name="longitude")
        geo.require_inside_boundary(_town(), community.latitude, community.longitude)
    community.save(update_fields=["latitude", "longitude"])
    return community
