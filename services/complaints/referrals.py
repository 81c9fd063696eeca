"""ส่งต่อเรื่อง — referral of a complaint to the right body, without losing the thread.

Three paths:
- at intake, a pin inside another live town is offered to that town (`neighbour_towns`, a read of
  the public boundary index; the citizen files there themselves: no web request writes another
  town's schema);
- staff refer an accepted case to another town on the platform (`refer_to_town`): a copy travels
  through the inter-town exchange (kind `complaint_referral`, only REFERRAL_FIELDS), is created in
  the receiving town's schema by the delivery task, acknowledged with its new tracking code, and the
  copy's public status changes come back (kind `complaint_referral_progress`, only PROGRESS_FIELDS).
  The receiving town may decline (`decline_referral`): its copy is rejected and the original returns
  to triage;
- staff refer a case to an outside agency from the town's directory (`refer_to_agency`), with the
  agency's reference and a follow-up date; `remind_follow_ups` tells the officer once per date.

The original's SLA clock stops while it is referred (`due_at` cleared; `referred` is not an open
status, so it is never overdue).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from services.accounts.models import User
from services.common import outbox
from services.common.links import absolute_url, town_url
from services.common.workflow import SYSTEM, TransitionNotAllowed, move
from services.exchange import actions as exchange
from services.exchange.models import ExchangeMessage, MessageStatus
from tenants.boundaries import TownAtPoint, towns_containing
from tenants.current import current_town
from tenants.models import Municipality, MunicipalityStatus

from . import geo, photos
from .actions.common import clean_text, locked_complaint, require_permission, working_calendar
from .actions.filing import open_case
from .actions.notices import notify_reporters, notify_status_changed
from .actions.resolution import clean_after_evidence, record_resolution
from .models import (
    DESCRIPTION_MAX,
    Category,
    Complaint,
    ComplaintEvent,
    ComplaintPhoto,
    Referral,
    ReferralAgency,
)
from .sla import BANGKOK
from .workflow import ASSIGN, REFERRAL_EXITS, REFERRAL_TRANSITIONS, TRANSITIONS, TRIAGE, WORK, ComplaintStatus

logger = logging.getLogger(__name__)
S = ComplaintStatus

REFERRAL_KIND = "complaint_referral"
PROGRESS_KIND = "complaint_referral_progress"
# Everything that may leave the town with a referred complaint. The reporter's contact travels only
# when the reporter agreed to it being passed on (the officer ticks `share_contact`, and the case
# has a PDPA consent and is not anonymous). Never: internal notes, staff names, the access token,
# LINE ids, the reporter's account, department or assignment, ratings.
REFERRAL_FIELDS = frozenset(
    {
        "category_code",
        "category_name",
        "description",
        "latitude",
        "longitude",
        "address_text",
        "received_at",
        "tracking_code",
        "reason",
        "reporter_name",
        "reporter_phone",
        "reporter_email",
    }
)
REFERRAL_REQUIRED = frozenset({"category_code", "description", "latitude", "longitude", "tracking_code"})
CONTACT_FIELDS = ("reporter_name", "reporter_phone", "reporter_email")
# What comes back from the receiving town: the copy's public status, and the reason when it was
# declined (rejected), which the reporter of the copy would see anyway.
PROGRESS_FIELDS = frozenset({"referral", "tracking_code", "status", "changed_at", "note"})
MAX_REFERRAL_PHOTOS = 5
# A referred copy can be declined until someone starts working on it.
DECLINABLE = (S.RECEIVED, S.ACCEPTED)




# --- intake: the neighbour's offer ----------------------------------------------------------------


@dataclass(frozen=True)
class NeighbourOffer:
    town: TownAtPoint
    url: str


def neighbour_offers(*, latitude: Decimal, longitude: Decimal, category_code: str = "") -> list[NeighbourOffer]:
    """Other live towns whose boundary covers the pin, each with a link to its filing page with
    the pin and category prefilled. The description is not carried: a URL ends up in logs,
    browser history and Referer headers, and a description may hold personal details."""
    own = getattr(current_town(), "slug", "")
    offers = []
    for town in towns_containing(latitude, longitude):
        if town.slug == own:
            continue
        query = f"?lat={latitude}&lon={longitude}"
        if category_code:
            query += f"&category={category_code}"
        offers.append(NeighbourOffer(town=town, url=absolute_url(town.host, "/complaints/new/" + query)))
    return offers


def filing_initial(params) -> dict:
    """Initial values of the filing form from an offer link (lat, lon, category code); anything
    that is not a valid coordinate or an active category of this town is ignored."""
    initial: dict = {}
    try:
        latitude = geo.parse_coordinate(params.get("lat", ""), low=-90, high=90, name="lat")
        longitude = geo.parse_coordinate(params.get("lon", ""), low=-180, high=180, name="lon")
    except ValidationError:
        pass
    else:
        initial.update(latitude=str(latitude), longitude=str(longitude))
    code = str(params.get("category", ""))[:40]
    if code:
        category = Category.objects.filter(code=code, is_active=True).first()
        if category is not None:
            initial["category"] = category
    return initial


# --- refer to another town -------------------------------------------------------------------------


def _receiving_town(town_code: str) -> Municipality:
    code = (town_code or "").strip()
    town = Municipality.objects.filter(lao_code=code).first() if code else None
    if town is None:
        raise ValidationError(
            {
                "town": _("ไม่พบเทศบาล/อปท. รหัส %(code)s บนแพลตฟอร์ม (No town on the platform has this code)")
                % {"code": code[:20]}
            },
            code="unknown_town",
        )
    if town.pk == getattr(current_town(), "pk", None):
        raise ValidationError(
            {"town": _("ส่งต่อเรื่องให้หน่วยงานตัวเองไม่ได้ (Cannot refer a case to your own town)")},
            code="self",
        )
    if town.status != MunicipalityStatus.LIVE:
        raise ValidationError(
            {"town": _("%(town)s ยังไม่เปิดให้บริการหรือถูกระงับ (This town is not live)") % {"town": town.name_th}},
            code="town_not_live",
        )
    return town


def _report_attachments(complaint: Complaint) -> list[exchange.Attachment]:
    attachments = []
    for photo in complaint.photos.select_related("file").filter(kind=ComplaintPhoto.Kind.REPORT)[:MAX_REFERRAL_PHOTOS]:
        try:
            with photo.file.file.open("rb") as handle:
                content = handle.read()
        except (FileNotFoundError, OSError):
            logger.warning("referral: photo %s of %s is missing", photo.pk, complaint.tracking_code)
            continue
        attachments.append(exchange.Attachment(f"photo-{photo.pk}.jpg", "image/jpeg", content))
    return attachments


def referral_payload(complaint: Complaint, *, reason: str, share_contact: bool) -> dict:
    """The listed fields of a case, and nothing else (see REFERRAL_FIELDS)."""
    payload = {
        "category_code": complaint.category.code,
        "category_name": complaint.category.name_th,
        "description": complaint.description,
        "latitude": str(complaint.latitude),
        "longitude": str(complaint.longitude),
        "address_text": complaint.address_text,
        "received_at": complaint.received_at.isoformat(),
        "tracking_code": complaint.tracking_code,
        "reason": reason,
    }
    if share_contact and complaint.consent_at and not complaint.is_anonymous:
        payload.update(
            reporter_name=complaint.reporter_name,
            reporter_phone=complaint.reporter_phone,
            reporter_email=complaint.reporter_email,
        )
    return payload


def _stop_clock(complaint: Complaint) -> None:
    complaint.due_at = None
    complaint.escalation_level = 0


def _restart_clock(complaint: Complaint) -> None:
    now = timezone.now()
    complaint.due_at = working_calendar(now).add_working_hours(now, complaint.category.sla_hours)
    complaint.escalation_level = 0


@transaction.atomic
def refer_to_town(*, complaint_id: int, by: User, town_code: str, reason: str, share_contact: bool = False) -> Referral:
    """Hand a case to another town on the platform: the original waits in `referred` (clock
    stopped) and a copy is delivered into that town by the exchange after this transaction."""
    require_permission(by, TRIAGE)
    reason = clean_text(reason, name="reason", max_length=1000)
    town = _receiving_town(town_code)
    complaint = locked_complaint(complaint_id)
    if S.REFERRED not in TRANSITIONS.get(complaint.status, {}):
        raise TransitionNotAllowed(complaint.status, S.REFERRED)
    payload = referral_payload(complaint, reason=reason, share_contact=share_contact)
    message = exchange.send(
        kind=REFERRAL_KIND,
        sender_code=current_town().lao_code,
        recipient_code=town.lao_code,
        payload=payload,
        attachments=_report_attachments(complaint),
    )
    move(complaint, to=S.REFERRED, by=by, transitions=TRANSITIONS)
    _stop_clock(complaint)
    complaint.save()
    referral = Referral.objects.create(
        complaint=complaint,
        target=Referral.Target.TOWN,
        status=Referral.Status.SENDING,
        reason=reason,
        to_town_code=town.lao_code,
        to_town_name=town.name_th,
        exchange_message_id=message.public_id,
        created_by=by,
    )
    _referral_events(
        complaint,
        by=by,
        public=_("ส่งต่อให้%(name)s") % {"name": town.name_th},
        reason=reason,
        extra=_("ส่งข้อมูลติดต่อผู้แจ้ง") if "reporter_phone" in payload else _("ไม่ส่งข้อมูลติดต่อผู้แจ้ง"),
    )
    notify_status_changed(complaint, note=_("ส่งต่อให้%(name)s") % {"name": town.name_th})
    return referral


def _referral_events(complaint: Complaint, *, by, public: str, reason: str = "", extra: str = "") -> None:
    ComplaintEvent.objects.create(
        complaint=complaint, kind=ComplaintEvent.Kind.REFERRAL, text=public, is_public=True, by=by
    )
    note = " · ".join(p for p in (reason and _("เหตุผล: %(r)s") % {"r": reason}, extra) if p)
    if note:
        ComplaintEvent.objects.create(
            complaint=complaint, kind=ComplaintEvent.Kind.REFERRAL, text=note, is_public=False, by=by
        )


def _received_photos(message: ExchangeMessage) -> list[photos.CleanPhoto]:
    """The attachments of a referral, through the same checks as any uploaded photo (re-encoded,
    size and pixel limits); one that fails them is left out rather than failing the delivery."""
    cleaned = []
    for item in message.attachments.all()[: photos.MAX_PHOTOS]:
        upload = SimpleUploadedFile(item.name, bytes(item.content), content_type=item.content_type)
        try:
            cleaned.append(photos.clean_photo(upload))
        except ValidationError:
            logger.warning("referral %s: attachment %s is not a usable photo", message.public_id, item.name)
    return cleaned


def _fallback_category(code: str) -> Category:
    category = Category.objects.filter(code=code, is_active=True).first()
    category = category or Category.objects.filter(code="other", is_active=True).first()
    category = category or Category.objects.filter(is_active=True).order_by("order", "pk").first()
    if category is None:
        raise ValidationError("no active complaint category to file a referral under")
    return category


def receive_referral(message: ExchangeMessage) -> str:
    """Exchange handler, in the receiving town's schema inside the delivery transaction: create the
    copy once per message, keep its photos, acknowledge with the new tracking code."""
    existing = Complaint.objects.filter(exchange_message_id=message.public_id).first()
    if existing is not None:
        return existing.tracking_code
    data = message.payload
    sender = Municipality.objects.filter(lao_code=message.sender_code).first()
    sender_name = sender.name_th if sender else message.sender_code
    category = _fallback_category(str(data.get("category_code", "")))
    description = str(data.get("description", ""))
    if category.code != data.get("category_code"):
        description = f"[{data.get('category_name') or data.get('category_code')}] {description}"
    latitude = geo.parse_coordinate(data.get("latitude"), low=-90, high=90, name="latitude")
    longitude = geo.parse_coordinate(data.get("longitude"), low=-180, high=180, name="longitude")
    contact = {f: str(data.get(f) or "")[: 200 if f != "reporter_phone" else 20] for f in CONTACT_FIELDS}
    now = timezone.now()
    complaint = open_case(
        Complaint(
            category=category,
            description=description[:DESCRIPTION_MAX],
            latitude=latitude,
            longitude=longitude,
            location_source=Complaint.LocationSource.API,
            address_text=str(data.get("address_text", ""))[:300],
            is_anonymous=not (contact["reporter_name"] and contact["reporter_phone"]),
            reporter_name=contact["reporter_name"],
            reporter_phone=contact["reporter_phone"],
            reporter_email=contact["reporter_email"] if "@" in contact["reporter_email"] else "",
            consent_at=now if contact["reporter_phone"] else None,
            channel=Complaint.Channel.REFERRAL,
            department=category.department,
            referred_from_code=message.sender_code[:20],
            referred_from_tracking_code=str(data.get("tracking_code", ""))[:30],
            exchange_message_id=message.public_id,
        ),
        by=None,
        cleaned=_received_photos(message),
        now=now,
    )
    ComplaintEvent.objects.create(
        complaint=complaint,
        kind=ComplaintEvent.Kind.REFERRAL,
        is_public=True,
        text=_("รับเรื่องส่งต่อจาก%(town)s") % {"town": sender_name},
    )
    received_at = parse_datetime(str(data.get("received_at") or ""))
    ComplaintEvent.objects.create(
        complaint=complaint,
        kind=ComplaintEvent.Kind.REFERRAL,
        is_public=False,
        text=_("ส่งต่อจาก %(town)s เลขติดตามเดิม %(code)s รับเรื่องเดิมเมื่อ %(when)s เหตุผล: %(reason)s")
        % {
            "town": sender_name,
            "code": complaint.referred_from_tracking_code,
            "when": received_at.astimezone(BANGKOK).strftime("%d/%m/%Y %H:%M") if received_at else "—",
            "reason": str(data.get("reason", ""))[:1000],
        },
    )
    if complaint.reporter_phone or complaint.reporter_email:
        notify_reporters(
            complaint,
            key="received",
            text=_("%(town)s ส่งต่อเรื่องของท่านมาให้เรา เลขติดตามเรื่องที่นี่คือ %(code)s")
            % {"town": sender_name, "code": complaint.tracking_code},
        )
    exchange.acknowledge(message=message, status=MessageStatus.REGISTERED, reference=complaint.tracking_code)
    return complaint.tracking_code


def referral_acknowledged(message: ExchangeMessage) -> None:
    """Exchange handler, in the referring town's schema: the copy was created; keep its code."""
    referral = Referral.objects.select_for_update().filter(exchange_message_id=message.public_id).first()
    if referral is None or message.status != MessageStatus.REGISTERED:
        return
    _copy_exists(referral, message.recipient_reference)
    referral.save()


def _copy_exists(referral: Referral, code: str) -> None:
    """The receiving town holds the copy under `code`. Its acknowledgement and its first progress
    report travel as separate messages and either may arrive first: whichever does records the
    code, marks the referral delivered and writes the timeline line, once. The caller saves."""
    code = str(code or "")[:30]
    if not code:
        return
    first_time = not referral.remote_tracking_code
    if first_time:
        referral.remote_tracking_code = code
    if referral.status in (Referral.Status.SENDING, Referral.Status.FAILED):
        move(referral, to=Referral.Status.DELIVERED, by=SYSTEM, transitions=REFERRAL_TRANSITIONS)
    if first_time:
        ComplaintEvent.objects.create(
            complaint_id=referral.complaint_id,
            kind=ComplaintEvent.Kind.REFERRAL,
            is_public=True,
            text=_("%(town)s รับเรื่องแล้ว เลขติดตามที่นั่น %(code)s")
            % {"town": referral.to_town_name, "code": referral.remote_tracking_code},
        )
        Complaint.objects.filter(pk=referral.complaint_id).update(updated_at=timezone.now())


def referral_failed(message: ExchangeMessage) -> None:
    """Exchange handler, in the referring town's schema: delivery gave up (the other town stayed
    unreachable). The case is not left waiting in `referred`: it returns to triage, clock restarted,
    with the failure on its timeline. Idempotent."""
    referral = Referral.objects.select_for_update().filter(exchange_message_id=message.public_id).first()
    if referral is None or referral.status != Referral.Status.SENDING:
        return
    move(referral, to=Referral.Status.FAILED, by=SYSTEM, transitions=REFERRAL_TRANSITIONS)
    referral.closed_at = timezone.now()
    referral.save()
    complaint = locked_complaint(referral.complaint_id)
    if complaint.status != S.REFERRED:
        return
    note = _("ส่งต่อให้%(town)s ไม่สำเร็จ เรื่องกลับมาที่ศูนย์บริการร่วม") % {"town": referral.to_town_name}
    move(complaint, to=S.ACCEPTED, by=None, transitions=REFERRAL_EXITS, note=note)
    _restart_clock(complaint)
    complaint.save()
    ComplaintEvent.objects.create(
        complaint=complaint,
        kind=ComplaintEvent.Kind.REFERRAL,
        is_public=False,
        text=_("การส่งต่อล้มเหลว: %(error)s") % {"error": message.last_error[:500]},
    )
    notify_status_changed(complaint, note=note)


def send_progress(event: ComplaintEvent) -> None:
    """In the receiving town: a status change of a referred copy goes back to the referring town
    (status and time; the reason only when the copy was declined). Never blocks the change."""
    complaint = event.complaint
    if not complaint.exchange_message_id or not complaint.referred_from_code or not event.to_status:
        return
    payload = {
        "referral": str(complaint.exchange_message_id),
        "tracking_code": complaint.tracking_code,
        "status": event.to_status,
        "changed_at": event.created_at.isoformat(),
        "note": event.text[:1000] if event.to_status == S.REJECTED else "",
    }
    try:
        exchange.send(
            kind=PROGRESS_KIND,
            sender_code=current_town().lao_code,
            recipient_code=complaint.referred_from_code,
            payload=payload,
        )
    except ValidationError:
        # The referring town is suspended or gone: its citizens cannot look anyway; work goes on.
        logger.warning(
            "referral progress of %s not sent: %s unreachable", complaint.tracking_code, complaint.referred_from_code
        )


def receive_progress(message: ExchangeMessage) -> str:
    """Exchange handler, in the referring town's schema: store the copy's public status; a declined
    copy returns the original to triage (once) with the reason on its timeline."""
    data = message.payload
    try:
        message_id = uuid.UUID(str(data.get("referral")))
    except ValueError:
        return ""
    referral = (
        Referral.objects.select_for_update().filter(exchange_message_id=message_id, target=Referral.Target.TOWN).first()
    )
    # Only the town the case was referred to may report on it.
    if referral is None or referral.to_town_code != message.sender_code:
        return ""
    status = str(data.get("status", ""))
    if status not in S.values:
        return ""
    changed_at = parse_datetime(str(data.get("changed_at") or "")) or timezone.now()
    if referral.remote_updated_at is None or changed_at >= referral.remote_updated_at:
        referral.remote_status = status
        referral.remote_updated_at = changed_at
    _copy_exists(referral, data.get("tracking_code", ""))
    if status == S.REJECTED and referral.status != Referral.Status.DECLINED:
        reason = str(data.get("note", ""))[:1000]
        move(referral, to=Referral.Status.DECLINED, by=SYSTEM, transitions=REFERRAL_TRANSITIONS)
        referral.decline_reason = reason
        referral.closed_at = timezone.now()
        complaint = locked_complaint(referral.complaint_id)
        if complaint.status == S.REFERRED:
            note = _("%(town)s ไม่รับเรื่อง: %(reason)s") % {"town": referral.to_town_name, "reason": reason}
            move(complaint, to=S.ACCEPTED, by=None, transitions=REFERRAL_EXITS, note=note)
            _restart_clock(complaint)
            complaint.save()
            ComplaintEvent.objects.create(
                complaint=complaint, kind=ComplaintEvent.Kind.REFERRAL, is_public=True, text=note
            )
            notify_status_changed(complaint, note=note)
    referral.save()
    Complaint.objects.filter(pk=referral.complaint_id).update(updated_at=timezone.now())
    return ""


@transaction.atomic
def decline_referral(*, complaint_id: int, by: User, reason: str) -> Complaint:
    """The receiving town refuses a referred copy with a reason: the copy ends (rejected) and the
    referring town gets the case back with the reason."""
    require_permission(by, TRIAGE)
    reason = clean_text(reason, name="reason", max_length=1000)
    complaint = locked_complaint(complaint_id)
    if not complaint.exchange_message_id:
        raise ValidationError(
            {"reason": _("เรื่องนี้ไม่ได้ส่งต่อมาจากหน่วยงานอื่น (This case was not referred to us)")},
            code="not_referred",
        )
    if complaint.status == S.REJECTED:
        raise ValidationError(
            {"reason": _("ปฏิเสธเรื่องส่งต่อนี้ไปแล้ว (This referral was already declined)")},
            code="already_declined",
        )
    if complaint.status not in DECLINABLE:
        raise ValidationError(
            {"reason": _("เริ่มดำเนินการแล้ว ปฏิเสธไม่ได้ (Work has started; it can no longer be declined)")},
            code="not_declinable",
        )
    move(complaint, to=S.REJECTED, by=by, transitions=TRANSITIONS, note=reason)
    complaint.closed_at = timezone.now()
    complaint.save()
    ComplaintEvent.objects.create(
        complaint=complaint,
        kind=ComplaintEvent.Kind.REFERRAL,
        is_public=False,
        by=by,
        text=_("ไม่รับเรื่องส่งต่อ ส่งคืน %(code)s") % {"code": complaint.referred_from_tracking_code},
    )
    notify_status_changed(complaint, note=reason)
    return complaint


# --- refer to an outside agency --------------------------------------------------------------------


@transaction.atomic
def refer_to_agency(
    *,
    complaint_id: int,
    by: User,
    agency_id: int,
    reason: str,
    agency_reference: str = "",
    follow_up_on: dt.date | None = None,
) -> Referral:
    """Record that the case was handed to an outside agency (PEA, PWA, highways, police…)."""
    require_permission(by, TRIAGE)
    reason = clean_text(reason, name="reason", max_length=1000)
    agency_reference = clean_text(agency_reference, name="agency_reference", required=False, max_length=100)
    agency = ReferralAgency.objects.filter(pk=agency_id, is_active=True).first() if agency_id else None
    if agency is None:
        raise ValidationError({"agency": _("ไม่พบหน่วยงานนี้ในรายชื่อ (No such agency)")}, code="unknown_agency")
    today = timezone.now().astimezone(BANGKOK).date()
    if follow_up_on is not None and follow_up_on < today:
        raise ValidationError(
            {"follow_up_on": _("วันที่ติดตามต้องไม่ใช่วันที่ผ่านมาแล้ว (The follow-up date is in the past)")},
            code="past_date",
        )
    complaint = locked_complaint(complaint_id)
    move(complaint, to=S.REFERRED, by=by, transitions=TRANSITIONS)
    _stop_clock(complaint)
    complaint.save()
    referral = Referral.objects.create(
        complaint=complaint,
        target=Referral.Target.AGENCY,
        status=Referral.Status.OPEN,
        reason=reason,
        agency=agency,
        agency_reference=agency_reference,
        follow_up_on=follow_up_on,
        created_by=by,
    )
    extra = " · ".join(
        p
        for p in (
            agency_reference and _("เลขที่อ้างอิง %(r)s") % {"r": agency_reference},
            follow_up_on and _("ติดตามวันที่ %(d)s") % {"d": follow_up_on.isoformat()},
        )
        if p
    )
    _referral_events(
        complaint, by=by, public=_("ส่งต่อให้%(name)s") % {"name": agency.name_th}, reason=reason, extra=extra
    )
    notify_status_changed(complaint, note=_("ส่งต่อให้%(name)s") % {"name": agency.name_th})
    return referral


def _open_agency_referral(complaint: Complaint) -> Referral:
    referral = (
        Referral.objects.select_for_update(of=("self",))
        .filter(complaint=complaint, target=Referral.Target.AGENCY, status=Referral.Status.OPEN)
        .select_related("agency")
        .first()
    )
    if referral is None or complaint.status != S.REFERRED:
        raise ValidationError(
            {"referral": _("เรื่องนี้ไม่ได้อยู่ระหว่างส่งต่อหน่วยงานภายนอก (Not referred to an outside agency)")},
            code="not_referred",
        )
    return referral


@transaction.atomic
def record_agency_result(
    *,
    complaint_id: int,
    by: User,
    result: str,
    after_photos: Sequence[UploadedFile] = (),
    photo_exception_reason: str = "",
) -> Complaint:
    """The agency fixed it: the case is resolved with the agency's result as the public reply; the
    reporter may confirm or reopen as usual. The same proof as the town's own work: where the category
    asks for it, an "after" photo of the site taken since the hand-over (the officer checks the
    agency's fix), near the pin unless the officer says why not — no ghost fixes by proxy."""
    require_permission(by, WORK)
    result = clean_text(result, name="result", max_length=DESCRIPTION_MAX)
    reason, cleaned = clean_after_evidence(after_photos, photo_exception_reason)
    complaint = locked_complaint(complaint_id)
    referral = _open_agency_referral(complaint)
    text = _("%(agency)s ดำเนินการแล้ว: %(result)s") % {"agency": referral.agency.name_th, "result": result}
    move(complaint, to=S.RESOLVED, by=by, transitions=REFERRAL_EXITS, note=text)
    # The SLA measure stops at the hand-over: the agency's time is not this town's.
    record_resolution(
        complaint,
        by=by,
        note=text,
        cleaned=cleaned,
        reason=reason,
        since=complaint.received_at,
        measured_until=referral.created_at,
    )
    now = timezone.now()
    move(referral, to=Referral.Status.DONE, by=by, transitions=REFERRAL_TRANSITIONS)
    referral.closed_at = now
    referral.save()
    return complaint


@transaction.atomic
def take_back_referral(*, complaint_id: int, by: User, reason: str) -> Complaint:
    """The town takes an agency referral back (the agency did nothing, or it was ours after all):
    the case returns to triage and its SLA clock starts again."""
    if by is None or not by.is_authenticated or not (by.has_perm(TRIAGE) or by.has_perm(ASSIGN)):
        raise PermissionDenied(_("คุณไม่มีสิทธิ์ทำรายการนี้ (You may not do this)"))
    reason = clean_text(reason, name="reason", max_length=1000)
    complaint = locked_complaint(complaint_id)
    referral = _open_agency_referral(complaint)
    note = _("ดึงเรื่องกลับจาก%(agency)s: %(reason)s") % {"agency": referral.agency.name_th, "reason": reason}
    move(complaint, to=S.ACCEPTED, by=by, transitions=REFERRAL_EXITS, note=note)
    _restart_clock(complaint)
    complaint.save()
    move(referral, to=Referral.Status.WITHDRAWN, by=by, transitions=REFERRAL_TRANSITIONS)
    referral.closed_at = timezone.now()
    referral.save()
    notify_status_changed(complaint, note=note)
    return complaint


def remind_follow_ups(*, today: dt.date | None = None) -> int:
    """Email the officer who referred a case to an agency on or after its follow-up date, once per
    follow-up date (a new date brings a new reminder); returns how many were sent."""
    today = today or timezone.now().astimezone(BANGKOK).date()
    due = Referral.objects.filter(
        target=Referral.Target.AGENCY, status=Referral.Status.OPEN, follow_up_on__lte=today
    ).values_list("pk", flat=True)
    sent = 0
    for referral_id in due:
        with transaction.atomic():
            referral = (
                Referral.objects.select_for_update(of=("self",))
                .select_related("complaint", "agency", "created_by")
                .get(pk=referral_id)
            )
            if referral.status != Referral.Status.OPEN or (
                referral.reminded_on is not None and referral.reminded_on >= referral.follow_up_on
            ):
                continue
            referral.reminded_on = today
            referral.save(update_fields=["reminded_on"])
            officer = referral.created_by
            if officer is None or not officer.email:
                continue
            complaint = referral.complaint
            outbox.enqueue(
                channel="email",
                recipient=officer.email,
                subject=f"[{current_town().short_code}] {complaint.tracking_code}",
                body=_("ถึงวันติดตามเรื่อง %(code)s ที่ส่งต่อให้%(agency)s (เลขที่อ้างอิง %(ref)s) กรุณาสอบถามผลและบันทึกในระบบ")
                % {
                    "code": complaint.tracking_code,
                    "agency": referral.agency.name_th,
                    "ref": referral.agency_reference or "—",
                },
                key=f"oss:{complaint.pk}:referral{referral.pk}:remind:{referral.follow_up_on.isoformat()}",
            )
            sent += 1
    return sent


# --- the agency directory ----------------------------------------------------------------------------


AGENCY_FIELDS = ("name_th", "name_en", "kind", "contact_name", "phone", "email", "notes", "is_active")


@transaction.atomic
def save_agency(*, by: User, data: dict, agency_id: int | None = None) -> ReferralAgency:
    """Create or change an entry of the town's directory of outside agencies."""
    require_permission(by, "complaints.manage_oss_settings")
    agency = ReferralAgency.objects.select_for_update().get(pk=agency_id) if agency_id else ReferralAgency()
    for name in AGENCY_FIELDS:
        if name in data:
            setattr(agency, name, data[name])
    agency.full_clean()
    agency.save()
    return agency


# --- reads ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralView:
    """What the reporter's tracking page shows about a referral."""

    target_name: str
    is_town: bool
    remote_tracking_code: str
    remote_status_label: str
    remote_url: str


def current_referral(complaint: Complaint) -> Referral | None:
    """The latest referral of a case that is not withdrawn."""
    return (
        complaint.referrals.exclude(status=Referral.Status.WITHDRAWN)
        .select_related("agency")
        .order_by("-created_at", "-pk")
        .first()
    )


def referral_for_reporter(complaint: Complaint) -> ReferralView | None:
    """The referral line of the tracking page (names and public status only)."""
    referral = current_referral(complaint)
    if referral is None:
        return None
    if referral.target == Referral.Target.AGENCY:
        return ReferralView(referral.agency.name_th, False, "", "", "")
    url = ""
    if referral.remote_tracking_code:
        town = Municipality.objects.filter(lao_code=referral.to_town_code).first()
        if town is not None:
            url = town_url(f"/complaints/track/?code={referral.remote_tracking_code}", town)
    label = S(referral.remote_status).label if referral.remote_status in S.values else ""
    return ReferralView(
        referral.to_town_name,
        True,
        referral.remote_tracking_code,
        label,
        url,
    )


def delivery_state(referral: Referral) -> ExchangeMessage | None:
    """The exchange message of a town referral (attempts, last error): failures stay visible."""
    if not referral.exchange_message_id:
        return None
    return ExchangeMessage.objects.filter(public_id=referral.exchange_message_id).first()


def town_name(lao_code: str) -> str:
    """The Thai name of a platform town from its LAO code (the code itself when unknown)."""
    name = Municipality.objects.filter(lao_code=lao_code).values_list("name_th", flat=True).first()
    return name or lao_code


def referable_towns() -> list[Municipality]:
    """The live towns of this town's province, other than this one (names and codes only): the
    neighbours a case is referred to in practice, not the whole country's thousands. Any other
    live town is reached by typing its LAO code."""
    town = current_town()
    return list(
        Municipality.objects.filter(status=MunicipalityStatus.LIVE, province_code=town.province_code)
        .exclude(pk=town.pk)
        .only("pk", "name_th", "lao_code")
        .order_by("name_th")[:200]
    )
