"""Fees paid online (the payments service's signal) or at the counter; paying the issue fee issues the certificate."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from services.common.money import format_baht
from services.common.queueing import run_after_commit
from services.common.workflow import move

from ..models import (
    Case,
    CaseEvent,
    CaseFee,
    CaseStatus,
    Certificate,
)
from ..workflow import FEE_TRANSITIONS
from .certificates import issue_certificate, reinstate_certificate
from .common import record_event, today


@transaction.atomic
def record_fee_paid(*, fee_public_id: str, reference: str = "") -> CaseFee:
    """A fee's invoice was paid (the payments service's invoice_paid signal); idempotent.
    Paying the issue fee issues the certificate; paying overdue periodic fees lifts a suspension."""
    fee = CaseFee.objects.select_for_update().select_related("case").get(public_id=fee_public_id)
    if fee.status == CaseFee.Status.PAID:
        return fee
    if fee.status == CaseFee.Status.CANCELLED:
        raise ValidationError(_("ค่าธรรมเนียมนี้ถูกยกเลิกแล้ว (This fee was cancelled)"))
    mark_fee_paid(fee, reference=reference, by=None, issue_now=False)
    if fee.purpose == CaseFee.Purpose.ISSUE:
        # By name, not by import: the task module wraps these actions (no import circle).
        run_after_commit("services.casework.tasks.issue_paid_certificate", fee.case_id)
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
    mark_fee_paid(fee, reference=receipt_reference, by=by)
    return fee


def mark_fee_paid(fee: CaseFee, *, reference: str, by, issue_now: bool = True) -> None:
    move(fee, to=CaseFee.Status.PAID, by=by, transitions=FEE_TRANSITIONS)
    fee.paid_at = timezone.now()
    fee.payment_reference = reference[:100]
    fee.save(update_fields=["status", "paid_at", "payment_reference"])
    case = Case.objects.select_for_update().get(pk=fee.case_id)
    record_event(
        case,
        CaseEvent.Kind.FEE,
        _("ชำระค่าธรรมเนียม %(amount)s บาทแล้ว") % {"amount": format_baht(fee.amount)},
        by=by,
    )
    if fee.purpose == CaseFee.Purpose.ISSUE and case.status == CaseStatus.APPROVED:
        if issue_now:
            issue_certificate(case=case, by=by)
    elif fee.purpose in (CaseFee.Purpose.PERIODIC, CaseFee.Purpose.SURCHARGE):
        certificate = Certificate.objects.filter(case=case).first()
        if certificate and certificate.status == Certificate.Status.SUSPENDED and not overdue_fees(case).exists():
            reinstate_certificate(certificate=certificate, by=by, reason=_("ชำระค่าธรรมเนียมและเงินเพิ่มครบแล้ว"))


def overdue_fees(case: Case):
    return case.fees.filter(status=CaseFee.Status.DUE, due_date__lt=today())
