"""Filing a complaint on any channel: validation, the submission limits, numbering and the first timeline line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from services.accounts.models import User
from services.common.buddhist_era import be_year
from services.common.numbering import next_number
from services.common.thai_phone import normalize_thai_phone
from tenants.current import current_town

from .. import geo, photos, rate_limit
from ..models import (
    Category,
    Community,
    Complaint,
    ComplaintEvent,
    ComplaintPhoto,
    Open311Client,
    OssSettings,
)
from .common import S, clean_text, require_permission, store_photos, working_calendar
from .notices import notify_reporters

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


def attribute_answers(category: Category, data) -> tuple[dict, list[str]]:
    """Answers to a category's extra questions from form data (`attribute[code]`, lists as
    `attribute[code][]`, the Open311 convention); returns (answers, codes missing or invalid)."""
    answers, invalid = {}, []
    for attribute in category.attributes.all():
        if attribute.datatype == "multivaluelist":
            value = data.getlist(f"attribute[{attribute.code}][]") or data.getlist(f"attribute[{attribute.code}]")
            value = [str(v).strip()[:100] for v in value if str(v).strip()][:50]
        else:
            value = str(data.get(f"attribute[{attribute.code}]", "")).strip()[:500]
        allowed = {str(v.get("key")) for v in (attribute.values or [])}
        chosen = value if isinstance(value, list) else [value]
        if (attribute.required and not value) or (value and allowed and any(v not in allowed for v in chosen)):
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
    if digits and not rate_limit.hit("phone", digits, limit=limits.submissions_per_phone_per_day, window_seconds=86400):
        raise RateLimited


def validate_filing(filing: Filing, *, uploads: Sequence[UploadedFile] = (), channel: str) -> list[photos.CleanPhoto]:
    """Everything that can be checked before writing; returns the cleaned photos. Raises ValidationError."""
    errors: dict[str, list] = {}
    category = filing.category
    if category is None or not category.is_active:
        errors.setdefault("category", []).append(_("กรุณาเลือกประเภทเรื่อง (Choose a category)"))
    try:
        filing.description = clean_text(filing.description, name="description", min_length=5)
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
            errors.setdefault("reporter_phone", []).append(_("หมายเลขโทรศัพท์ไม่ถูกต้อง (Not a valid Thai phone number)"))
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
            geo.require_inside_boundary(current_town(), filing.latitude, filing.longitude)
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
        require_permission(user, "complaints.file_on_behalf")
    cleaned = validate_filing(filing, uploads=uploads, channel=channel)
    if channel in PUBLIC_CHANNELS:
        check_submission_rate(ip=ip, phone=filing.reporter_phone)
    return _file(
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
    complaint.tracking_code = f"{current_town().short_code}-{be_year(now)}-{number:06d}"
    complaint.received_at = now
    complaint.due_at = working_calendar(now).add_working_hours(now, complaint.category.sla_hours)
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
    store_photos(complaint, cleaned, kind=ComplaintPhoto.Kind.REPORT, by=by, event=event)
    return complaint


@transaction.atomic
def _file(*, filing: Filing, channel: str, cleaned, user, open311_client, line_user_id) -> Complaint:
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
        consent_at=now if (filing.consent or channel in (Complaint.Channel.OPEN311, Complaint.Channel.LINE)) else None,
        channel=channel,
        filed_by=user if (user is not None and user.kind == User.Kind.STAFF) else None,
        open311_client=open311_client,
        department=filing.category.department,
    )
    open_case(complaint, by=user, cleaned=cleaned, now=now)
    notify_reporters(
        complaint,
        key="received",
        text=_("ได้รับเรื่อง “%(category)s” แล้ว เลขติดตามเรื่องของท่านคือ %(code)s")
        % {"category": filing.category.name_th, "code": complaint.tracking_code},
    )
    return complaint
