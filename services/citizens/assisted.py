"""Filing for someone at the counter or on a B-Buddy visit (permits and food notifications), and the
applicant taking the case over later.

Same permission model as complaints' assisted filing (complaints.actions.filing): only roles holding
`citizens.file_case_on_behalf` may file for someone (OSS officers, public-health officers, building
engineers, B-Buddy volunteers). The filer checks the person's ID card, records how, and records that
the person consented in person; the case is the filer's to complete (documents, submit) until the
person takes it over. The person gets the tracking link by SMS through the outbox. Taking over needs
a signed-in citizen account and proof: a digital-ID-verified national ID equal to the one checked at
the counter, or the one-time link texted to the applicant's phone.
"""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from services.building_permits import actions as permit_actions
from services.casework.actions import lock_case, record_event
from services.casework.models import Case, CaseEvent, CaseKind
from services.common import outbox
from services.common.links import town_url
from services.common.thai_id import normalize_thai_id
from services.food_premises import actions as food_actions
from services.privacy.actions import record_consent

from .models import AssistedFiling

PERMISSION = "citizens.file_case_on_behalf"
DRAFTERS = {CaseKind.FOOD_NOTIFICATION: food_actions.save_notification_draft,
            CaseKind.BUILDING_PERMIT: permit_actions.save_application_draft}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def tracking_link(token: str) -> str:
    return town_url(reverse("citizens:assisted_track", args=[token]))


@transaction.atomic
def file_on_behalf(*, kind: str, by, data: dict, channel: str, identity_check: str,
                   consent_in_person: bool) -> tuple[Case, str]:
    """Start the person's application as a draft the filer completes; returns the case and the
    one-time take-over token (texted to the applicant's phone)."""
    if by is None or not by.is_authenticated or not by.has_perm(PERMISSION):
        raise PermissionDenied(_("ไม่มีสิทธิ์ยื่นแทนประชาชน (You may not file on someone's behalf)"))
    if kind not in DRAFTERS:
        raise ValidationError(_("ยื่นแทนได้เฉพาะคำขออนุญาตก่อสร้างและการแจ้งสถานที่อาหาร"))
    errors = {}
    if channel not in AssistedFiling.Channel.values:
        errors["channel"] = _("เลือกช่องทาง (Choose the channel)")
    if identity_check not in AssistedFiling.IdentityCheck.values:
        errors["identity_check"] = _("บันทึกวิธีตรวจสอบตัวตน (Record how the identity was checked)")
    if not consent_in_person:
        errors["consent_in_person"] = _("ผู้ยื่นต้องให้ความยินยอมด้วยตนเอง (The person must consent in person)")
    if errors:
        raise ValidationError(errors)
    case = DRAFTERS[kind](by=by, data=data)  # validates the national ID, phone, site like an online filing
    token = secrets.token_urlsafe(24)
    now = timezone.now()
    AssistedFiling.objects.create(
        case=case, channel=channel, filed_by=by, applicant_national_id=normalize_thai_id(case.applicant_national_id),
        identity_check=identity_check, consent_in_person=True, consent_at=now, takeover_token_hash=_hash(token),
    )
    record_consent(purpose=f"{kind}:{case.public_id}", channel="in_person",
                   subject_reference=f"national-id:{normalize_thai_id(case.applicant_national_id)}", recorded_by=by)
    how = AssistedFiling.IdentityCheck(identity_check).label
    record_event(case, CaseEvent.Kind.NOTE, _("ยื่นแทนโดย %(who)s (%(channel)s) · %(how)s · ผู้ยื่นยินยอมด้วยตนเอง")
                 % {"who": by.display_name, "channel": AssistedFiling.Channel(channel).label, "how": how}, by=by)
    link = tracking_link(token)
    outbox.enqueue(
        channel="sms", recipient=case.applicant_phone, key=f"assisted-filing-{case.public_id}",
        body=_("เจ้าหน้าที่ยื่น \"%(title)s\" แทนท่านแล้ว ติดตามและรับเรื่องไปดูแลเองได้ที่ %(link)s") % {
            "title": case.title[:60], "link": link},
    )
    return case, token


def filing_by_token(token: str) -> AssistedFiling | None:
    if not isinstance(token, str) or not 10 <= len(token) <= 100:
        return None
    return AssistedFiling.objects.select_related("case").filter(takeover_token_hash=_hash(token)).first()


def awaiting_take_over(user):
    """Filings made for this person (the digital-ID-verified national ID they carry) not yet taken over."""
    national_id = getattr(user, "verified_national_id", "") if user is not None and user.is_authenticated else ""
    if not national_id:
        return AssistedFiling.objects.none()
    return AssistedFiling.objects.select_related("case").filter(applicant_national_id=national_id,
                                                                taken_over_by__isnull=True)


@transaction.atomic
def take_over(*, filing_id: int, user, token: str = "") -> Case:
    """The applicant's own citizen account becomes the case's applicant, all or nothing."""
    if user is None or not user.is_authenticated or getattr(user, "kind", "") != "citizen":
        raise PermissionDenied(_("เข้าสู่ระบบด้วยบัญชีประชาชนก่อน (Sign in with a citizen account first)"))
    filing = AssistedFiling.objects.select_for_update().get(pk=filing_id)
    if filing.taken_over_by_id == user.pk:
        return filing.case
    if filing.taken_over_by_id is not None:
        raise ValidationError(_("คำขอนี้มีผู้รับไปดูแลแล้ว (This application was already taken over)"))
    verified = getattr(user, "verified_national_id", "")
    if verified and verified != filing.applicant_national_id:
        raise PermissionDenied(_("เลขประจำตัวของท่านไม่ตรงกับผู้ยื่น (Your national ID is not the applicant's)"))
    by_link = bool(token) and secrets.compare_digest(_hash(token), filing.takeover_token_hash)
    if not (verified or by_link):
        raise PermissionDenied(_("ใช้ลิงก์ที่ส่งทาง SMS หรือยืนยันตัวตนด้วย ThaiD "
                                 "(Use the link sent by SMS, or verify with ThaiD)"))
    case = lock_case(filing.case_id)
    case.applicant = user
    case.save(update_fields=["applicant", "updated_at"])
    filing.taken_over_by, filing.taken_over_at = user, timezone.now()
    filing.save(update_fields=["taken_over_by", "taken_over_at"])
    record_event(case, CaseEvent.Kind.NOTE, _("ผู้ยื่นรับเรื่องไปดูแลเองแล้ว (%(how)s)") % {
        "how": _("ยืนยันด้วย ThaiD") if verified else _("ลิงก์ทาง SMS")}, by=user)
    return case
