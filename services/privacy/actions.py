"""PDPA writes: publishing the notice, recording consents, a person's requests and how staff answer
them, the export of everything held about a person, and erasure that keeps what the law keeps."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from services.accounts.models import User
from services.casework.models import Case, CaseStatus
from services.common.workflow import move
from services.complaints.models import Complaint
from services.payments.models import Receipt
from services.payments.workflow import InvoiceStatus
from tenants.current import current_town

from .models import ConsentRecord, DataSubjectRequest, PrivacyNotice, RetentionRule
from .workflow import TRANSITIONS

DEFAULT_NOTICE_TH = (
    "{town} (ผู้ควบคุมข้อมูลส่วนบุคคล) เก็บชื่อ เลขประจำตัวประชาชน ที่อยู่ โทรศัพท์ อีเมล ตำแหน่งที่ตั้งและรูปถ่าย "
    "ที่ท่านให้ไว้ เพื่อรับเรื่องร้องเรียน พิจารณาคำขออนุญาต รับแจ้งสถานที่จำหน่ายอาหาร และเรียกเก็บค่าธรรมเนียม "
    "ตามอำนาจหน้าที่ของท้องถิ่น (พ.ร.บ.คุ้มครองข้อมูลส่วนบุคคล พ.ศ. 2562 มาตรา 24(4) และ (5)) "
    "ใบเสร็จรับเงิน หนังสือราชการ และใบอนุญาตเก็บไว้ตามระยะเวลาที่กฎหมายกำหนด ข้อมูลอื่นเก็บไว้ไม่เกินที่จำเป็น "
    "ท่านขอรับสำเนา ขอแก้ไข หรือขอลบข้อมูลได้ที่หน้า \"ข้อมูลของฉัน\" เทศบาลจะตอบภายใน 30 วัน"
)
DEFAULT_NOTICE_EN = (
    "{town} (the data controller) keeps the name, national ID, address, phone, e-mail, location and photos you "
    "give, to handle complaints, permit applications, food notifications and fees under its legal duties (PDPA "
    "2019 s.24(4),(5)). Receipts, official letters and permits are kept as long as the law requires; other data "
    "no longer than needed. Ask for a copy, a correction or erasure on the \"My data\" page; the town answers "
    "within 30 days."
)

# What erasure keeps, and why (shown to the person and to staff).
KEPT_REASONS = {
    "case": gettext_lazy("คำขออนุญาต/การแจ้งและใบอนุญาตเป็นเอกสารราชการ เก็บตามกฎหมายควบคุมอาคารและกฎหมายการสาธารณสุข "
                         "(Permits and notifications are official records kept under the building and public-health acts)"),
    "invoice": gettext_lazy("ใบแจ้งหนี้และใบเสร็จรับเงินเก็บตามระเบียบการรับเงินของท้องถิ่น (10 ปี) "
                            "(Bills and receipts are kept under the local finance regulations, 10 years)"),
    "consent": gettext_lazy("บันทึกความยินยอมเก็บไว้เป็นหลักฐาน โดยไม่ผูกกับบัญชี "
                            "(Consent records are kept as evidence, no longer tied to the account)"),
}


def current_notice() -> PrivacyNotice:
    """The latest version; the town's first one is made from the template on first use."""
    notice = PrivacyNotice.objects.order_by("-version").first()
    if notice is None:
        town = current_town()
        name = getattr(town, "name_th", "") or "เทศบาล"
        name_en = getattr(town, "name_en", "") or "The town"
        notice, _created = PrivacyNotice.objects.get_or_create(version=1, defaults={
            "body_th": DEFAULT_NOTICE_TH.format(town=name), "body_en": DEFAULT_NOTICE_EN.format(town=name_en)})
    return notice


@transaction.atomic
def publish_notice(*, by, body_th: str, body_en: str = "") -> PrivacyNotice:
    if by is None or not by.has_perm("privacy.edit_notice"):
        raise PermissionDenied
    if not (body_th or "").strip():
        raise ValidationError({"body_th": _("ต้องมีเนื้อหาภาษาไทย (The Thai text is required)")})
    last = PrivacyNotice.objects.select_for_update().order_by("-version").first()
    return PrivacyNotice.objects.create(version=(last.version + 1) if last else 1, body_th=body_th.strip(),
                                        body_en=(body_en or "").strip(), published_by=by)


# --- retention rules ---------------------------------------------------------------------------------

DEFAULT_RETENTION_YEARS = {
    RetentionRule.RecordType.COMPLAINT: 2,
    RetentionRule.RecordType.CASE_DRAFT: 1,
    RetentionRule.RecordType.MESSAGE: 1,
}
RETENTION_YEARS_RANGE = (1, 20)


def retention_rule(record_type: str) -> RetentionRule:
    """The town's rule for one kind of record (made with the default on first use)."""
    return RetentionRule.objects.get_or_create(
        record_type=record_type, defaults={"years": DEFAULT_RETENTION_YEARS[record_type]}
    )[0]


def retention_rules() -> list[RetentionRule]:
    return [retention_rule(record_type) for record_type in RetentionRule.RecordType.values]


@transaction.atomic
def set_retention_years(*, by, record_type: str, years) -> RetentionRule:
    """A town admin changes how long one kind of record keeps its personal data (audited)."""
    if by is None or not by.has_perm("privacy.set_retention"):
        raise PermissionDenied
    if record_type not in RetentionRule.RecordType.values:
        raise ValidationError({"record_type": _("ไม่มีประเภทข้อมูลนี้ (No such kind of record)")})
    low, high = RETENTION_YEARS_RANGE
    try:
        value = int(str(years).strip())
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise ValidationError(
            {"years": _("ระยะเวลาเก็บต้องเป็นจำนวนปี %(low)s–%(high)s (Years must be a whole number, %(low)s–%(high)s)")
             % {"low": low, "high": high}}
        )
    rule = RetentionRule.objects.select_for_update().get_or_create(
        record_type=record_type, defaults={"years": DEFAULT_RETENTION_YEARS[record_type]}
    )[0]
    if rule.years != value:
        rule.years = value
        rule.save(update_fields=["years"])
    return rule


def record_consent(*, purpose: str, channel: str, user=None, subject_reference: str = "", recorded_by=None
                   ) -> ConsentRecord:
    return ConsentRecord.objects.create(
        user=user if user is not None and user.is_authenticated else None, subject_reference=subject_reference[:80],
        purpose=purpose[:80], channel=channel, notice_version=current_notice().version,
        recorded_by=recorded_by if recorded_by is not None and recorded_by.is_authenticated else None,
    )


def _citizen(user) -> None:
    if user is None or not user.is_authenticated or getattr(user, "kind", "") != "citizen":
        raise PermissionDenied(_("เฉพาะบัญชีประชาชน (citizen accounts only)"))


def request_right(*, user, kind: str, details: str = "") -> DataSubjectRequest:
    _citizen(user)
    if kind not in DataSubjectRequest.Kind.values:
        raise ValidationError(_("ไม่รู้จักประเภทคำขอ (Unknown request)"))
    details = (details or "").strip()
    if kind == DataSubjectRequest.Kind.CORRECTION and not details:
        raise ValidationError({"details": _("บอกว่าข้อมูลใดไม่ถูกต้องและควรเป็นอย่างไร (Say what is wrong and what is right)")})
    if len(details) > 4000:
        raise ValidationError({"details": _("ยาวเกินไป (Too long)")})
    if DataSubjectRequest.objects.filter(user=user, kind=kind, status=DataSubjectRequest.Status.OPEN).exists():
        raise ValidationError(_("มีคำขอประเภทนี้รอดำเนินการอยู่แล้ว (A request of this kind is already open)"))
    done = kind == DataSubjectRequest.Kind.ACCESS  # the export is given at once; the request is the record of it
    return DataSubjectRequest.objects.create(
        kind=kind, user=user, details=details,
        status=DataSubjectRequest.Status.DONE if done else DataSubjectRequest.Status.OPEN,
        handled_at=timezone.now() if done else None,
        outcome=_("ดาวน์โหลดสำเนาข้อมูลด้วยตนเอง") if done else "",
    )


def _staff(by) -> None:
    if by is None or not by.is_authenticated or not by.has_perm("privacy.handle_requests"):
        raise PermissionDenied


def _open_request(request_id: int) -> DataSubjectRequest:
    found = DataSubjectRequest.objects.select_for_update().get(pk=request_id)
    if found.status != DataSubjectRequest.Status.OPEN:
        raise ValidationError(_("คำขอนี้ดำเนินการไปแล้ว (This request was already handled)"))
    return found


@transaction.atomic
def close_request(*, request_id: int, by, outcome: str, refuse: bool = False) -> DataSubjectRequest:
    """A correction made (or a request refused), with what was done or why not, in words."""
    _staff(by)
    found = _open_request(request_id)
    if not (outcome or "").strip():
        raise ValidationError({"outcome": _("บันทึกผลหรือเหตุผล (Record the outcome or the reason)")})
    if found.kind == DataSubjectRequest.Kind.ERASURE and not refuse:
        raise ValidationError(_("คำขอลบข้อมูลต้องดำเนินการด้วยปุ่มลบข้อมูล (Use the erasure action)"))
    target = DataSubjectRequest.Status.REFUSED if refuse else DataSubjectRequest.Status.DONE
    move(found, to=target, by=by, transitions=TRANSITIONS)
    found.handled_by, found.handled_at, found.outcome = by, timezone.now(), outcome.strip()
    found.save(update_fields=["status", "handled_by", "handled_at", "outcome"])
    return found


@dataclass
class ErasurePlan:
    blockers: list[str]
    erased: list[str]
    kept: list[tuple[str, int, str]]  # (what, how many, why)


def erasure_plan(user: User) -> ErasurePlan:
    """What erasing this person would do — shown before it is done."""
    from services.citizens.my_requests import invoices_of

    invoices = invoices_of(user)
    open_bills = invoices.filter(status=InvoiceStatus.OPEN).count()
    cases = Case.objects.filter(applicant=user)
    in_progress = cases.exclude(status__in=[CaseStatus.DRAFT, CaseStatus.ISSUED, CaseStatus.REFUSED,
                                            CaseStatus.WITHDRAWN, CaseStatus.VOID]).count()
    blockers = []
    if open_bills:
        blockers.append(_("มีใบแจ้งหนี้ค้างชำระ %(n)s รายการ ลบข้อมูลได้เมื่อชำระหรือยกเลิกแล้ว "
                          "(%(n)s unpaid bills: erasure can follow once they are paid or cancelled)") % {"n": open_bills})
    if in_progress:
        blockers.append(_("มีคำขอที่อยู่ระหว่างพิจารณา %(n)s รายการ ถอนคำขอหรือรอผลก่อน "
                          "(%(n)s applications in progress: withdraw them or wait for the decision)") % {"n": in_progress})
    complaints = Complaint.objects.filter(reporter_user=user).count()
    drafts = cases.filter(status=CaseStatus.DRAFT).count()
    receipts = Receipt.objects.filter(invoice__in=invoices).count()
    return ErasurePlan(
        blockers=blockers,
        erased=[
            _("บัญชีผู้ใช้: ชื่อ อีเมล โทรศัพท์ เลขประจำตัว (ปิดบัญชี)"),
            _("ชื่อ โทรศัพท์ อีเมลผู้แจ้งในเรื่องร้องเรียน %(n)s เรื่อง") % {"n": complaints},
            _("ร่างคำขอที่ไม่ได้ยื่น %(n)s รายการ") % {"n": drafts},
        ],
        kept=[(_("คำขออนุญาต/การแจ้ง"), cases.exclude(status=CaseStatus.DRAFT).count(), str(KEPT_REASONS["case"])),
              (_("ใบแจ้งหนี้และใบเสร็จ"), invoices.count() + receipts, str(KEPT_REASONS["invoice"])),
              (_("บันทึกความยินยอม"), user.consents.count(), str(KEPT_REASONS["consent"]))],
    )


ERASED = "ลบข้อมูลตามคำขอ"  # what an anonymised name reads


def anonymise_complaints(queryset) -> int:
    return queryset.update(reporter_name=ERASED, reporter_phone="", reporter_email="", reporter_line_id="",
                           reporter_user=None)


@transaction.atomic
def erase(*, request_id: int, by) -> DataSubjectRequest:
    """Carry out an erasure request: all of it, or — when something blocks it — nothing, with why."""
    _staff(by)
    found = _open_request(request_id)
    if found.kind != DataSubjectRequest.Kind.ERASURE:
        raise ValidationError(_("คำขอนี้ไม่ใช่คำขอลบข้อมูล (Not an erasure request)"))
    user = User.objects.select_for_update().get(pk=found.user_id)
    plan = erasure_plan(user)
    if plan.blockers:
        raise ValidationError(plan.blockers)
    anonymise_complaints(Complaint.objects.filter(reporter_user=user))
    Case.objects.filter(applicant=user, status=CaseStatus.DRAFT).delete()
    user.consents.update(user=None, subject_reference=f"erased-user-{user.pk}")
    user.first_name = user.last_name = user.email = user.phone = user.national_id = ""
    user.identity_provider, user.identity_verified_at = "", None
    user.username, user.is_active = f"erased-{user.pk}", False
    user.set_unusable_password()
    user.save()
    move(found, to=DataSubjectRequest.Status.DONE, by=by, transitions=TRANSITIONS)
    found.handled_by, found.handled_at = by, timezone.now()
    found.outcome = "\n".join([_("ลบแล้ว:"), *plan.erased, _("เก็บไว้:"),
                               *[f"{what} ({n}): {why}" for what, n, why in plan.kept]])
    found.save(update_fields=["status", "handled_by", "handled_at", "outcome"])
    return found
