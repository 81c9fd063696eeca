"""The officials' side: return for fixes, accept, inspect, technical review, extend the deadline, approve or refuse."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from services.common.buddhist_era import be_year, format_be_long
from services.common.money import format_baht
from services.common.workflow import move

from .. import billing, notifications
from ..fees import NoRateConfigured
from ..models import (
    Case,
    CaseEvent,
    CaseFee,
    CaseStatus,
    Deficiency,
    Inspection,
)
from ..registry import case_type_for
from .common import PHOTO_TYPES, checked_store, due_after, lock_case, record_event, settings_for, today
from .fee_payments import mark_fee_paid


@transaction.atomic
def return_for_fixes(*, case_id: int, by, items: Sequence[dict], note: str = "") -> Deficiency:
    """Document check found the application incomplete: send back the list of what is missing."""
    case = lock_case(case_id)
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
    record_event(
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
    case = lock_case(case_id)
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
            body=_("เอกสารครบถ้วน เจ้าหน้าที่จะพิจารณาให้แล้วเสร็จภายในวันที่ %(date)s") % {"date": format_be_long(case.due_date)},
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
    case = lock_case(case_id)
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
            checked_store(
                photo,
                purpose="inspection",
                by=by,
                allowed=PHOTO_TYPES,
                max_mb=settings_for(case.kind).max_upload_mb,
            )
        )
    record_event(
        case,
        CaseEvent.Kind.INSPECTION,
        _("ตรวจสถานที่ ผล: %(result)s") % {"result": inspection.get_result_display()},
        by=by,
    )
    return inspection


@transaction.atomic
def record_technical_review(*, case_id: int, by, note: str) -> Case:
    """The building engineer's technical review of the plans (before the official decides)."""
    case = lock_case(case_id)
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
    case = lock_case(case_id)
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
    record_event(
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
    case = lock_case(case_id)
    case_type = case_type_for(case.kind)
    move(case, to=CaseStatus.APPROVED, by=by, transitions=case_type.transitions, note=note)
    case.decided_at = timezone.now()
    case.decision_reason = note
    case.save()
    try:
        quote = case_type.compute_issue_fee(case, today())
    except NoRateConfigured as exc:
        raise ValidationError(
            _("ยังไม่ได้ตั้งอัตราค่าธรรมเนียมที่ใช้บังคับวันนี้ ติดต่อผู้ดูแลระบบ (No fee rate is in force today: ask the town admin)"),
            code="no_rate",
        ) from exc
    fee = CaseFee.objects.create(
        case=case,
        purpose=CaseFee.Purpose.ISSUE,
        amount=quote.total,
        period_label=case_type.fee_period_label(today()) if case_type.fee_period_label else str(be_year(today())),
        lines=[line.as_dict() for line in quote.lines],
        rate_version=quote.rate_version,
        due_date=today() + dt.timedelta(days=30),
    )
    if fee.amount <= Decimal("0.00"):
        mark_fee_paid(fee, reference="no-fee", by=by)
        return case
    billing.raise_fee_invoice(fee, by=by)
    record_event(
        case,
        CaseEvent.Kind.FEE,
        _("อนุมัติแล้ว ค่าธรรมเนียม %(amount)s บาท กรุณาชำระเพื่อรับเอกสาร") % {"amount": format_baht(fee.amount)},
        by=by,
    )
    notifications.notify_applicant(
        case,
        subject=_("คำขอได้รับอนุมัติ"),
        body=_("คำขอได้รับอนุมัติ กรุณาชำระค่าธรรมเนียม %(amount)s บาท ผ่าน QR พร้อมเพย์ ในหน้าคำขอของฉัน")
        % {"amount": format_baht(fee.amount)},
        key="approved",
    )
    return case


@transaction.atomic
def refuse_case(*, case_id: int, by, reason: str) -> Case:
    """The official refuses, in writing with the legal reason (Building Control Act s.25; Public
    Health Act s.48 for a notification that cannot be certified)."""
    case = lock_case(case_id)
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
