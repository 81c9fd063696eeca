"""Writes of the shared case journey. Each public function is one transaction and one thing a
person (or the system) does; services call these with their own details already saved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from services.common import numbering
from services.common.buddhist_era import BANGKOK, be_year, format_be_long
from services.common.files.actions import store_upload
from services.common.workflow import move

from . import billing, notifications
from .fees import NoRateConfigured
from .models import (
    Case,
    CaseDocument,
    CaseEvent,
    CaseFee,
    CaseStatus,
    Certificate,
    DeadlineRule,
    Deficiency,
    DocumentRequirement,
    FeeRate,
    Inspection,
    ServiceSettings,
)
from .pdf import qr_data_uri, render_pdf
from .registry import case_type_for
from .working_days import add_working_days

ACCEPTED_UPLOAD_TYPES = ("application/pdf", "image/jpeg")
PHOTO_TYPES = ("image/jpeg", "image/png")


def today() -> dt.date:
    return timezone.now().astimezone(BANGKOK).date()


def due_after(start: dt.date, days: int, rule: str) -> dt.date:
    if rule == DeadlineRule.WORKING_DAYS:
        return add_working_days(start, days)
    return start + dt.timedelta(days=days)


def settings_for(kind: str) -> ServiceSettings:
    return ServiceSettings.objects.get_or_create(kind=kind)[0]


def _lock(case_id: int) -> Case:
    return Case.objects.select_for_update().get(pk=case_id)


def _event(case: Case, kind: str, message: str, *, by=None, public: bool = True) -> CaseEvent:
    actor = by if (by is not None and getattr(by, "is_authenticated", False)) else None
    return CaseEvent.objects.create(case=case, kind=kind, message=message, actor=actor, is_public=public)


def _require_applicant(case: Case, by) -> None:
    if by is None or case.applicant_id != by.pk:
        raise PermissionDenied(_("เฉพาะผู้ยื่นคำขอเท่านั้น (Only the applicant may do this)"))


# --- Applicant ---------------------------------------------------------------------------------


def sniff_upload_type(upload: UploadedFile) -> str:
    """The real type from the first bytes: a renamed .exe must not pass as a PDF."""
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return "application/octet-stream"


def _checked_store(upload: UploadedFile, *, purpose: str, by, allowed: tuple[str, ...], max_mb: int):
    actual = sniff_upload_type(upload)
    if actual not in allowed:
        raise ValidationError(
            _("รับเฉพาะไฟล์ %(types)s (Only %(types)s files are accepted)")
            % {"types": ", ".join("PDF" if t.endswith("pdf") else t.split("/")[1].upper() for t in allowed)},
            code="file_type",
        )
    upload.content_type = actual
    return store_upload(upload, purpose=purpose, by=by, allowed_types=allowed, max_bytes=max_mb * 1024 * 1024)


@transaction.atomic
def attach_document(*, case_id: int, requirement_id: int | None, upload: UploadedFile, by) -> CaseDocument:
    """The applicant uploads one checklist document (PDF or JPEG, size-limited); an earlier upload
    for the same line is kept on record as superseded."""
    case = _lock(case_id)
    _require_applicant(case, by)
    if case.status not in (CaseStatus.DRAFT, CaseStatus.RETURNED):
        raise ValidationError(
            _(
                "แนบเอกสารได้เฉพาะคำขอที่ยังไม่ยื่นหรือถูกส่งกลับให้แก้ไข "
                "(Documents can be added only to drafts or returned applications)"
            )
        )
    requirement = None
    if requirement_id is not None:
        requirement = DocumentRequirement.objects.filter(
            pk=requirement_id, kind=case.kind, is_active=True
        ).first()
        if requirement is None:
            raise ValidationError(_("ไม่พบรายการเอกสารนี้ (Unknown checklist item)"))
    stored = _checked_store(
        upload,
        purpose=f"case-{case.kind}",
        by=by,
        allowed=ACCEPTED_UPLOAD_TYPES,
        max_mb=settings_for(case.kind).max_upload_mb,
    )
    if requirement is not None:
        case.documents.filter(requirement=requirement, is_superseded=False).update(is_superseded=True)
    document = CaseDocument.objects.create(case=case, requirement=requirement, file=stored, uploaded_by=by)
    if case.status == CaseStatus.RETURNED:
        _event(
            case,
            CaseEvent.Kind.DOCUMENT,
            _("ผู้ยื่นแนบเอกสารเพิ่มเติม: %(name)s") % {"name": requirement or stored.original_name},
            by=by,
        )
    return document


def missing_requirements(case: Case) -> list[DocumentRequirement]:
    case_type = case_type_for(case.kind)
    have = set(
        case.documents.filter(is_superseded=False, requirement__isnull=False).values_list(
            "requirement_id", flat=True
        )
    )
    return [
        requirement
        for requirement in DocumentRequirement.objects.filter(
            kind=case.kind, is_active=True, is_required=True
        )
        if requirement.pk not in have and case_type.requirement_applies(case, requirement)
    ]


@transaction.atomic
def submit_case(*, case_id: int, by, reply: str = "") -> Case:
    """The applicant files the application (or files it again after fixing what was asked)."""
    case = _lock(case_id)
    _require_applicant(case, by)
    case_type = case_type_for(case.kind)
    missing = missing_requirements(case)
    if missing:
        raise ValidationError(
            _("ยังขาดเอกสาร: %(list)s (Required documents are missing)")
            % {"list": ", ".join(m.title_th for m in missing)},
            code="documents_missing",
        )
    resubmission = case.status == CaseStatus.RETURNED
    move(
        case,
        to=CaseStatus.SUBMITTED,
        by=by,
        transitions=case_type.transitions,
        note=_("ยื่นแก้ไขแล้ว") if resubmission else _("ยื่นคำขอ"),
    )
    now = timezone.now()
    if not case.tracking_code:
        year = be_year(now)
        number = numbering.next_number(f"case:{case.kind}", year)
        town_code = getattr(current_town(), "short_code", "") or "TWN"
        case.tracking_code = f"{town_code}-{case_type.tracking_prefix}-{year}-{number:06d}"
    case.submitted_at = case.submitted_at or now
    case.applicant_due_date = None
    if case_type.clock_starts_on == "submitted":
        # The official's clock runs from each receipt of the notification (e.g. Public Health Act s.48).
        case.due_date = due_after(today(), case_type.review_days, case_type.review_rule)
        case.due_rule = case_type.review_rule
        case.escalation_level = 0
    case.save()
    if resubmission:
        Deficiency.objects.filter(case=case, resolved_at__isnull=True).update(
            resolved_at=now, applicant_reply=reply
        )
    if case_type.intake_roles:
        notifications.notify_staff(
            notifications.staff_with_role(*case_type.intake_roles),
            subject=_("%(kind)s เข้าใหม่: %(code)s") % {"kind": case_type.label_th, "code": case.tracking_code},
            body=_("%(title)s — %(state)s")
            % {"title": case.title, "state": _("ยื่นแก้ไขแล้ว") if resubmission else _("ยื่นใหม่")},
            key=f"intake:{case.pk}:{case.events.count()}",
        )
    notifications.notify_applicant(
        case,
        subject=_("ได้รับ%(kind)sแล้ว") % {"kind": case_type.label_th},
        body=_("เทศบาล/อบต. ได้รับ%(kind)sของท่านแล้ว ติดตามสถานะได้ที่เมนู “คำขอของฉัน”")
        % {"kind": case_type.label_th},
        key=f"submitted:{case.events.count()}",
    )
    return case


@transaction.atomic
def withdraw_case(*, case_id: int, by, reason: str = "") -> Case:
    """The applicant withdraws an application that has not been decided."""
    case = _lock(case_id)
    _require_applicant(case, by)
    move(case, to=CaseStatus.WITHDRAWN, by=by, transitions=case_type_for(case.kind).transitions, note=reason)
    case.due_date = None
    case.save()
    return case


# --- Staff -------------------------------------------------------------------------------------


@transaction.atomic
def return_for_fixes(*, case_id: int, by, items: Sequence[dict], note: str = "") -> Deficiency:
    """Document check found the application incomplete: send back the list of what is missing."""
    case = _lock(case_id)
    case_type = case_type_for(case.kind)
    cleaned = [
        {"requirement": i.get("requirement") or None, "text": (i.get("text") or "").strip()}
        for i in items
        if (i.get("text") or "").strip() or i.get("requirement")
    ]
    if not cleaned:
        raise ValidationError(_("ระบุรายการที่ต้องแก้ไขอย่างน้อยหนึ่งรายการ (List at least one thing to fix)"))
    returned_from = case.status
    move(case, to=CaseStatus.RETURNED, by=by, transitions=case_type.transitions, note=note)
    if returned_from in (CaseStatus.ACCEPTED, CaseStatus.INSPECTED, CaseStatus.REVIEWED):
        case.corrections_ordered = True  # corrections ordered on a complete application
        case.due_date = None
    reply_due = due_after(today(), case_type.fix_days, case_type.fix_rule) if case_type.fix_days else None
    deficiency = Deficiency.objects.create(case=case, items=cleaned, created_by=by, reply_due_date=reply_due)
    case.applicant_due_date = reply_due
    if case_type.clock_starts_on == "submitted":
        case.due_date = None  # the official's clock waits for the corrected notification
    case.save()
    lines = "\n".join(f"- {item['text'] or item['requirement']}" for item in cleaned)
    deadline = _("ภายในวันที่ %(date)s") % {"date": format_be_long(reply_due)} if reply_due else ""
    _event(
        case,
        CaseEvent.Kind.DEFICIENCY,
        _("ขอให้แก้ไข/ส่งเอกสารเพิ่มเติม %(deadline)s\n%(lines)s") % {"deadline": deadline, "lines": lines},
        by=by,
    )
    notifications.notify_applicant(
        case,
        subject=_("กรุณาแก้ไขคำขอ"),
        body=_("คำขอของท่านยังไม่ครบถ้วน %(deadline)s:\n%(lines)s") % {"deadline": deadline, "lines": lines},
        key=f"returned:{deficiency.pk}",
    )
    return deficiency


@transaction.atomic
def accept_case(*, case_id: int, by, note: str = "") -> Case:
    """Document check passed: the application is complete and the statutory clock starts."""
    case = _lock(case_id)
    case_type = case_type_for(case.kind)
    move(case, to=CaseStatus.ACCEPTED, by=by, transitions=case_type.transitions, note=note)
    case.completed_at = timezone.now()
    if case_type.clock_starts_on == "accepted":
        days = case_type.review_days
        if case.corrections_ordered and case_type.corrections_days:
            # Building Control Act s.27: once the ordered corrections are made, decide within 30 days.
            days = case_type.corrections_days
        case.due_date = due_after(today(), days, case_type.review_rule)
        case.due_rule = case_type.review_rule
        case.escalation_level = 0
    if case.assigned_to_id is None:
        case.assigned_to = by
    case.save()
    if case.due_date:
        notifications.notify_applicant(
            case,
            subject=_("คำขอครบถ้วนแล้ว"),
            body=_("เอกสารครบถ้วน เจ้าหน้าที่จะพิจารณาให้แล้วเสร็จภายในวันที่ %(date)s")
            % {"date": format_be_long(case.due_date)},
            key="accepted",
        )
    return case


@transaction.atomic
def record_inspection(
    *,
    case_id: int,
    by,
    result: str,
    notes: str = "",
    inspected_on: dt.date | None = None,
    checklist: Sequence[dict] = (),
    photos: Sequence[UploadedFile] = (),
) -> Inspection:
    """A site or hygiene inspection with its notes, checklist answers and photos."""
    case = _lock(case_id)
    if result not in Inspection.Result.values:
        raise ValidationError(_("ผลการตรวจไม่ถูกต้อง (Unknown inspection result)"))
    if inspected_on and inspected_on > today():
        raise ValidationError(_("วันที่ตรวจต้องไม่เป็นวันในอนาคต (The inspection date cannot be in the future)"))
    move(
        case,
        to=CaseStatus.INSPECTED,
        by=by,
        transitions=case_type_for(case.kind).transitions,
        note=notes[:200],
    )
    case.save()
    inspection = Inspection.objects.create(
        case=case,
        inspector=by,
        inspected_on=inspected_on or today(),
        result=result,
        notes=notes,
        checklist=list(checklist),
    )
    for photo in photos:
        inspection.photos.add(
            _checked_store(
                photo,
                purpose="inspection",
                by=by,
                allowed=PHOTO_TYPES,
                max_mb=settings_for(case.kind).max_upload_mb,
            )
        )
    _event(
        case,
        CaseEvent.Kind.INSPECTION,
        _("ตรวจสถานที่ ผล: %(result)s") % {"result": inspection.get_result_display()},
        by=by,
    )
    return inspection


@transaction.atomic
def record_technical_review(*, case_id: int, by, note: str) -> Case:
    """The building engineer's technical review of the plans (before the official decides)."""
    case = _lock(case_id)
    if not note.strip():
        raise ValidationError(_("กรุณาบันทึกความเห็นทางเทคนิค (Write the review note)"))
    move(case, to=CaseStatus.REVIEWED, by=by, transitions=case_type_for(case.kind).transitions, note=note)
    case.save()
    return case


@transaction.atomic
def extend_deadline(*, case_id: int, by, reason: str) -> Case:
    """Extend the official's deadline, with the reason told to the applicant before it runs out.

    Building Control Act B.E. 2522 s.25: at most twice, each no longer than 45 days, notified in
    writing with the reason before the current period ends.
    """
    case = _lock(case_id)
    case_type = case_type_for(case.kind)
    permission = f"{case_type.app_label}.extend_deadline"
    if not by.has_perm(permission):
        raise PermissionDenied(_("คุณไม่มีสิทธิ์ขยายเวลา (You may not extend the deadline)"))
    if not reason.strip():
        raise ValidationError(_("ต้องระบุเหตุผลการขยายเวลา (A reason is required)"))
    if not case.is_open or case.due_date is None or case.status == CaseStatus.APPROVED:
        raise ValidationError(_("คำขอนี้ไม่มีกำหนดเวลาที่ขยายได้ (This case has no running deadline)"))
    if case.extensions_used >= case_type.max_extensions:
        raise ValidationError(
            _("ขยายเวลาครบ %(n)s ครั้งแล้ว (The deadline was already extended %(n)s times)")
            % {"n": case_type.max_extensions}
        )
    if case.due_date < today():
        raise ValidationError(_("ต้องขยายเวลาก่อนครบกำหนด (The extension must be made before the deadline)"))
    case.due_date = due_after(case.due_date, case_type.extension_days, case_type.review_rule)
    case.extensions_used += 1
    case.escalation_level = 0
    case.save()
    _event(
        case,
        CaseEvent.Kind.DEADLINE,
        _("ขยายระยะเวลาพิจารณาครั้งที่ %(n)s ถึงวันที่ %(date)s เหตุผล: %(reason)s")
        % {"n": case.extensions_used, "date": format_be_long(case.due_date), "reason": reason},
        by=by,
    )
    notifications.notify_applicant(
        case,
        subject=_("ขยายระยะเวลาพิจารณา"),
        body=_("ขยายระยะเวลาพิจารณาถึงวันที่ %(date)s เนื่องจาก %(reason)s")
        % {"date": format_be_long(case.due_date), "reason": reason},
        key=f"extended:{case.extensions_used}",
    )
    return case


@transaction.atomic
def approve_case(*, case_id: int, by, note: str = "") -> Case:
    """The official approves: the fee is computed from the rate table in force and invoiced; the
    certificate is issued when it is paid (at once when there is nothing to pay)."""
    case = _lock(case_id)
    case_type = case_type_for(case.kind)
    move(case, to=CaseStatus.APPROVED, by=by, transitions=case_type.transitions, note=note)
    case.decided_at = timezone.now()
    case.decision_reason = note
    case.save()
    try:
        quote = case_type.compute_issue_fee(case, today())
    except NoRateConfigured as exc:
        raise ValidationError(
            _(
                "ยังไม่ได้ตั้งอัตราค่าธรรมเนียมที่ใช้บังคับวันนี้ ติดต่อผู้ดูแลระบบ "
                "(No fee rate is in force today: ask the town admin)"
            ),
            code="no_rate",
        ) from exc
    fee = CaseFee.objects.create(
        case=case,
        purpose=CaseFee.Purpose.ISSUE,
        amount=quote.total,
        period_label=case_type.fee_period_label(today())
        if case_type.fee_period_label
        else str(be_year(today())),
        lines=[line.as_dict() for line in quote.lines],
        rate_version=quote.rate_version,
        due_date=today() + dt.timedelta(days=30),
    )
    if fee.amount <= Decimal("0.00"):
        _mark_fee_paid(fee, reference="no-fee", by=by)
        return case
    billing.raise_fee_invoice(fee, by=by)
    _event(
        case,
        CaseEvent.Kind.FEE,
        _("อนุมัติแล้ว ค่าธรรมเนียม %(amount)s บาท กรุณาชำระเพื่อรับเอกสาร") % {"amount": f"{fee.amount:,.2f}"},
        by=by,
    )
    notifications.notify_applicant(
        case,
        subject=_("คำขอได้รับอนุมัติ"),
        body=_("คำขอได้รับอนุมัติ กรุณาชำระค่าธรรมเนียม %(amount)s บาท ผ่าน QR พร้อมเพย์ ในหน้าคำขอของฉัน")
        % {"amount": f"{fee.amount:,.2f}"},
        key="approved",
    )
    return case


@transaction.atomic
def refuse_case(*, case_id: int, by, reason: str) -> Case:
    """The official refuses, in writing with the legal reason (Building Control Act s.25; Public
    Health Act s.48 for a notification that cannot be certified)."""
    case = _lock(case_id)
    if len(reason.strip()) < 10:
        raise ValidationError(_("ต้องระบุเหตุผลและข้อกฎหมายที่ไม่อนุญาต (State the legal reason for the refusal)"))
    move(case, to=CaseStatus.REFUSED, by=by, transitions=case_type_for(case.kind).transitions, note=reason)
    case.decided_at = timezone.now()
    case.decision_reason = reason
    case.save()
    notifications.notify_applicant(
        case,
        subject=_("ผลการพิจารณาคำขอ"),
        body=_("ไม่อนุญาต เหตุผล: %(reason)s") % {"reason": reason},
        key="refused",
    )
    return case


@transaction.atomic
def record_fee_paid(*, fee_public_id: str, reference: str = "") -> CaseFee:
    """A fee's invoice was paid (the payments service's invoice_paid signal); idempotent.
    Paying the issue fee issues the certificate; paying overdue periodic fees lifts a suspension."""
    fee = CaseFee.objects.select_for_update().select_related("case").get(public_id=fee_public_id)
    if fee.status == CaseFee.Status.PAID:
        return fee
    if fee.status == CaseFee.Status.CANCELLED:
        raise ValidationError(_("ค่าธรรมเนียมนี้ถูกยกเลิกแล้ว (This fee was cancelled)"))
    _mark_fee_paid(fee, reference=reference, by=None, issue_now=False)
    if fee.purpose == CaseFee.Purpose.ISSUE:
        from .tasks import issue_paid_certificate

        case_id = fee.case_id
        transaction.on_commit(lambda: issue_paid_certificate.delay(case_id))
    return fee


@transaction.atomic
def issue_paid_certificate(*, case_id: int) -> Certificate | None:
    """Issue the certificate of an approved case whose issue fee is paid; safe to call twice."""
    case = Case.objects.select_for_update().get(pk=case_id)
    if case.status != CaseStatus.APPROVED:
        return Certificate.objects.filter(case=case).first()
    if not case.fees.filter(purpose=CaseFee.Purpose.ISSUE, status=CaseFee.Status.PAID).exists():
        return None
    return issue_certificate(case=case, by=None)


def issue_paid_certificates() -> int:
    """Issue every certificate that is paid for but not yet issued (the after-commit task's net)."""
    ids = (
        Case.objects.filter(
            status=CaseStatus.APPROVED, fees__purpose=CaseFee.Purpose.ISSUE, fees__status=CaseFee.Status.PAID
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    issued = 0
    for case_id in ids:
        if issue_paid_certificate(case_id=case_id) is not None:
            issued += 1
    return issued


@transaction.atomic
def record_counter_payment(*, fee_public_id: str, by, receipt_reference: str) -> CaseFee:
    """A finance officer records a fee paid at the counter, for a fee without an online invoice
    (an invoiced fee is paid through the payments service, which issues the receipt)."""
    if not by.has_perm("casework.record_counter_payment"):
        raise PermissionDenied(_("คุณไม่มีสิทธิ์บันทึกการรับเงิน (You may not record payments)"))
    fee = CaseFee.objects.select_for_update().select_related("case").get(public_id=fee_public_id)
    if fee.invoice_reference:
        raise ValidationError(
            _(
                "ค่าธรรมเนียมนี้มีใบแจ้งหนี้ในระบบรับชำระแล้ว ให้รับชำระที่ระบบนั้น "
                "(This fee is invoiced: take the payment in the payments service)"
            )
        )
    if not receipt_reference.strip():
        raise ValidationError(_("ระบุเลขที่ใบเสร็จรับเงิน (Enter the receipt number)"))
    if fee.status != CaseFee.Status.DUE:
        raise ValidationError(_("ค่าธรรมเนียมนี้ไม่อยู่ในสถานะรอชำระ (This fee is not due)"))
    _mark_fee_paid(fee, reference=receipt_reference, by=by)
    return fee


def _mark_fee_paid(fee: CaseFee, *, reference: str, by, issue_now: bool = True) -> None:
    fee.status = CaseFee.Status.PAID
    fee.paid_at = timezone.now()
    fee.payment_reference = reference[:100]
    fee.save(update_fields=["status", "paid_at", "payment_reference"])
    case = Case.objects.select_for_update().get(pk=fee.case_id)
    _event(
        case,
        CaseEvent.Kind.FEE,
        _("ชำระค่าธรรมเนียม %(amount)s บาทแล้ว") % {"amount": f"{fee.amount:,.2f}"},
        by=by,
    )
    if fee.purpose == CaseFee.Purpose.ISSUE and case.status == CaseStatus.APPROVED:
        if issue_now:
            issue_certificate(case=case, by=by)
    elif fee.purpose in (CaseFee.Purpose.PERIODIC, CaseFee.Purpose.SURCHARGE):
        certificate = Certificate.objects.filter(case=case).first()
        if (
            certificate
            and certificate.status == Certificate.Status.SUSPENDED
            and not overdue_fees(case).exists()
        ):
            reinstate_certificate(certificate=certificate, by=by, reason=_("ชำระค่าธรรมเนียมและเงินเพิ่มครบแล้ว"))


def overdue_fees(case: Case):
    return case.fees.filter(status=CaseFee.Status.DUE, due_date__lt=today())


def current_town():
    """The Municipality of the schema in use (set by the middleware, or by name in Celery tasks)."""
    from tenants.models import Municipality

    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Municipality):
        return tenant
    return Municipality.objects.filter(schema_name=connection.schema_name).first()


def verification_url(certificate: Certificate) -> str:
    """Absolute URL of the public verification page, on the town's primary domain."""
    from django.conf import settings
    from django.urls import reverse

    from tenants.models import Domain

    town = current_town()
    domain = Domain.objects.filter(tenant_id=getattr(town, "pk", None), is_primary=True).first()
    host = domain.domain if domain else "localhost"
    port = getattr(settings, "PUBLIC_URL_PORT", "")
    scheme = "https" if settings.SESSION_COOKIE_SECURE else "http"
    path = reverse(
        f"{case_type_for(certificate.kind).app_label}:verify", args=[certificate.verification_token]
    )
    return f"{scheme}://{host}{':' + str(port) if port else ''}{path}"


def render_certificate(certificate: Certificate) -> bytes:
    case = certificate.case
    case_type = case_type_for(case.kind)
    detail = getattr(case, case_type.detail_name, None)
    url = verification_url(certificate)
    return render_pdf(
        case_type.certificate_template,
        {
            "certificate": certificate,
            "case": case,
            "detail": detail,
            "town": current_town(),
            "verify_url": url,
            "qr": qr_data_uri(url),
        },
    )


def _store_pdf(certificate: Certificate, pdf: bytes, by) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        f"{certificate.series}-{certificate.be_year}-{certificate.number}.pdf",
        pdf,
        content_type="application/pdf",
    )
    certificate.pdf = store_upload(
        upload, purpose="certificate", by=None, allowed_types=("application/pdf",), max_bytes=20 * 1024 * 1024
    )
    certificate.save(update_fields=["pdf"])


def issue_certificate(*, case: Case, by=None) -> Certificate:
    """Number, record and render the certificate; runs inside the caller's transaction so a failed
    render gives the number back (gapless per BE year)."""
    case_type = case_type_for(case.kind)
    move(case, to=CaseStatus.ISSUED, by=by, transitions=case_type.transitions)
    issued_on = today()
    year = be_year(issued_on)
    number = numbering.next_number(case_type.certificate_series, year)
    validity = settings_for(case.kind).certificate_validity_days
    detail = getattr(case, case_type.detail_name, None)
    certificate = Certificate.objects.create(
        case=case,
        kind=case.kind,
        series=case_type.certificate_series,
        be_year=year,
        number=number,
        issued_on=issued_on,
        valid_until=issued_on + dt.timedelta(days=validity) if validity else None,
        holder_name=case.applicant_name
        if detail is None
        else getattr(detail, "holder_name", case.applicant_name),
        public_summary=case_type.public_summary(case) if case_type.public_summary else {},
        issued_by=by if (by is not None and getattr(by, "is_authenticated", False)) else None,
    )
    _store_pdf(certificate, render_certificate(certificate), by)
    case.due_date = None
    case.save()
    _event(
        case,
        CaseEvent.Kind.CERTIFICATE,
        _("ออก%(label)s เลขที่ %(number)s")
        % {"label": case_type.certificate_label_th, "number": certificate.display_number},
        by=by,
    )
    notifications.notify_applicant(
        case,
        subject=_("ออก%(label)sแล้ว") % {"label": case_type.certificate_label_th},
        body=_("%(label)s เลขที่ %(number)s ดาวน์โหลดได้ที่เมนู “คำขอของฉัน”")
        % {"label": case_type.certificate_label_th, "number": certificate.display_number},
        key="issued",
    )
    return certificate


@transaction.atomic
def rerender_certificate(*, certificate_id: int, by=None) -> Certificate:
    """Render the PDF again after a permitted change (transfer, extension, change of operator)."""
    certificate = Certificate.objects.select_for_update().select_related("case").get(pk=certificate_id)
    case_type = case_type_for(certificate.kind)
    if case_type.public_summary:
        certificate.public_summary = case_type.public_summary(certificate.case)
        certificate.save(update_fields=["public_summary"])
    _store_pdf(certificate, render_certificate(certificate), by)
    return certificate


def _set_certificate_status(certificate: Certificate, status: str, reason: str, by) -> Certificate:
    certificate.status = status
    certificate.status_reason = reason
    certificate.status_changed_at = timezone.now()
    certificate.save(update_fields=["status", "status_reason", "status_changed_at"])
    _event(
        certificate.case,
        CaseEvent.Kind.CERTIFICATE,
        _("%(label)s: %(status)s — %(reason)s")
        % {"label": certificate.display_number, "status": certificate.get_status_display(), "reason": reason},
        by=by,
    )
    notifications.notify_applicant(
        certificate.case,
        subject=_("สถานะเอกสาร %(n)s") % {"n": certificate.display_number},
        body=f"{certificate.get_status_display()}: {reason}",
        key=f"cert-status:{status}:{certificate.status_changed_at.timestamp():.0f}",
    )
    return certificate


def suspend_certificate(*, certificate: Certificate, reason: str, by=None) -> Certificate:
    """Suspend (e.g. a stop order for unpaid fees); inside the caller's transaction."""
    if certificate.status != Certificate.Status.VALID:
        return certificate
    return _set_certificate_status(certificate, Certificate.Status.SUSPENDED, reason, by)


def reinstate_certificate(*, certificate: Certificate, reason: str, by=None) -> Certificate:
    if certificate.status != Certificate.Status.SUSPENDED:
        return certificate
    return _set_certificate_status(certificate, Certificate.Status.VALID, reason, by)


@transaction.atomic
def revoke_certificate(*, certificate_id: int, by, reason: str) -> Certificate:
    """Revoke with a reason (final); verification then shows it as not valid, and why."""
    certificate = Certificate.objects.select_for_update().select_related("case").get(pk=certificate_id)
    permission = f"{case_type_for(certificate.kind).app_label}.revoke_certificate"
    if not by.has_perm(permission):
        raise PermissionDenied(_("คุณไม่มีสิทธิ์เพิกถอน (You may not revoke)"))
    if len(reason.strip()) < 10:
        raise ValidationError(_("ต้องระบุเหตุผลการเพิกถอน (State the reason for revoking)"))
    if certificate.status == Certificate.Status.REVOKED:
        raise ValidationError(_("ถูกเพิกถอนไปแล้ว (Already revoked)"))
    return _set_certificate_status(certificate, Certificate.Status.REVOKED, reason, by)


# --- Periodic: deadlines -----------------------------------------------------------------------


def escalate_due_cases(now: dt.datetime | None = None) -> int:
    """Warn the department heads before a statutory deadline runs out, and the executives once it
    is due or overdue. Each level is sent once per deadline (escalation_level)."""
    from .notifications import notify_staff, staff_with_role

    day = (now or timezone.now()).astimezone(BANGKOK).date()
    sent = 0
    open_cases = Case.objects.filter(
        status__in=[CaseStatus.SUBMITTED, CaseStatus.ACCEPTED, CaseStatus.INSPECTED, CaseStatus.REVIEWED],
        due_date__isnull=False,
    )
    for case_id in open_cases.values_list("pk", flat=True):
        with transaction.atomic():
            case = Case.objects.select_for_update(skip_locked=True).filter(pk=case_id).first()
            if case is None or case.due_date is None:
                continue
            left = (case.due_date - day).days
            warn = settings_for(case.kind).warn_days_before_due
            level, roles = 0, ()
            if left <= 1 and case.escalation_level < 2:
                level, roles = 2, ("executive", "department_head")
            elif left <= warn and case.escalation_level < 1:
                level, roles = 1, ("department_head",)
            if not level:
                continue
            case_type = case_type_for(case.kind)
            subject = _("ใกล้ครบกำหนดตามกฎหมาย: %(code)s") % {"code": case.tracking_code}
            body = _("%(kind)s %(code)s ครบกำหนดพิจารณาวันที่ %(date)s (เหลือ %(left)s วัน)") % {
                "kind": case_type.label_th,
                "code": case.tracking_code,
                "date": format_be_long(case.due_date),
                "left": left,
            }
            recipients = list(staff_with_role(*roles))
            if case.assigned_to_id and case.assigned_to not in recipients:
                recipients.append(case.assigned_to)
            notify_staff(
                recipients, subject=subject, body=body, key=f"escalate:{case.pk}:{case.due_date}:{level}"
            )
            case.escalation_level = level
            case.save(update_fields=["escalation_level", "updated_at"])
            _event(case, CaseEvent.Kind.ESCALATION, body, public=False)
            sent += 1
    return sent


def void_lapsed_returns(now: dt.datetime | None = None) -> int:
    """Returned notifications whose fix deadline passed become void (Public Health Act s.48)."""
    day = (now or timezone.now()).astimezone(BANGKOK).date()
    voided = 0
    for case_id in Case.objects.filter(status=CaseStatus.RETURNED, applicant_due_date__lt=day).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            case = Case.objects.select_for_update(skip_locked=True).filter(pk=case_id).first()
            if case is None or case.status != CaseStatus.RETURNED:
                continue
            transitions = case_type_for(case.kind).transitions
            if CaseStatus.VOID not in transitions.get(CaseStatus.RETURNED, {}):
                continue
            move(
                case,
                to=CaseStatus.VOID,
                by=None,
                transitions=transitions,
                note=_("ไม่แก้ไขภายในกำหนด คำขอเป็นอันยกเลิก"),
            )
            case.save()
            notifications.notify_applicant(
                case,
                subject=_("คำขอเป็นอันยกเลิก"),
                body=_("ไม่ได้แก้ไขภายในกำหนด คำขอเป็นอันยกเลิก ยื่นใหม่ได้ทุกเมื่อ"),
                key="void",
            )
            voided += 1
    return voided


# --- The town's own settings -------------------------------------------------------------------


def _require_admin(by) -> None:
    if not by.has_perm("casework.change_feerate"):
        raise PermissionDenied(_("เฉพาะผู้ดูแลระบบของเทศบาล (Town admins only)"))


@transaction.atomic
def add_fee_rate(*, kind: str, by, values: dict) -> FeeRate:
    """A new dated rate (e.g. a new ordinance); the rate it replaces (same fee and band, still open)
    ends the day before, so exactly one rate is in force on any date and old fees keep their version."""
    _require_admin(by)
    band = {name: values.get(name) for name in ("max_floors", "max_height_m", "min_area_m2", "max_area_m2")}
    for previous in FeeRate.objects.select_for_update().filter(
        kind=kind, fee_code=values["fee_code"], valid_to__isnull=True, **band
    ):
        if previous.valid_from >= values["valid_from"]:
            raise ValidationError(
                _(
                    "มีอัตราที่เริ่มใช้ในวันเดียวกันหรือภายหลังอยู่แล้ว "
                    "(A rate starting on or after that date already exists)"
                )
            )
        previous.valid_to = values["valid_from"] - dt.timedelta(days=1)
        previous.save(update_fields=["valid_to"])
    rate = FeeRate(kind=kind, **values)
    rate.full_clean()
    rate.save()
    return rate


@transaction.atomic
def save_service_settings(*, kind: str, by, values: dict) -> ServiceSettings:
    _require_admin(by)
    settings_row = ServiceSettings.objects.select_for_update().get_or_create(kind=kind)[0]
    for name, value in values.items():
        setattr(settings_row, name, value)
    settings_row.full_clean()
    settings_row.save()
    return settings_row


@transaction.atomic
def save_requirement(
    *, kind: str, by, values: dict, requirement_id: int | None = None
) -> DocumentRequirement:
    """Add a checklist line, or change one (code and condition stay)."""
    _require_admin(by)
    if requirement_id is None:
        requirement = DocumentRequirement(kind=kind)
    else:
        requirement = DocumentRequirement.objects.select_for_update().get(pk=requirement_id, kind=kind)
        values = {k: v for k, v in values.items() if k != "code"}
    for name, value in values.items():
        setattr(requirement, name, value)
    requirement.full_clean()
    requirement.save()
    return requirement


@transaction.atomic
def set_requirement_active(*, requirement_id: int, by, active: bool) -> DocumentRequirement:
    _require_admin(by)
    requirement = DocumentRequirement.objects.select_for_update().get(pk=requirement_id)
    requirement.is_active = active
    requirement.save(update_fields=["is_active"])
    return requirement
