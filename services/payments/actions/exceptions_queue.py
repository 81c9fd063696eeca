"""The exceptions queue (รายการรอตรวจสอบ): a finance officer decides what the system would not guess."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from services.common.workflow import move

from ..models import Invoice, PaymentException
from ..workflow import EXCEPTION_TRANSITIONS, ExceptionStatus
from .invoices import apply_payment
from .receipts import issue_receipt


@transaction.atomic
def resolve_exception(
    *, exception_id: int, by, resolution: str, note: str, invoice_id: int | None = None
) -> PaymentException:
    """A finance officer decides an exception: apply the money to an invoice, refund it, or dismiss it.

    Applying never takes more than the invoice's outstanding amount: of an over-payment the
    outstanding amount is applied (and receipted) and the rest is recorded as owed back to the payer.
    """
    if not note or not note.strip():
        raise ValidationError({"note": "ต้องบันทึกเหตุผล (a note is required)"})
    item = (
        PaymentException.objects.select_for_update().select_related("bank_transaction").get(pk=exception_id)
    )
    move(item, to=ExceptionStatus.RESOLVED, by=by, transitions=EXCEPTION_TRANSITIONS)
    payment = None
    if resolution == PaymentException.Resolution.APPLIED:
        target = invoice_id or item.invoice_id
        if not target:
            raise ValidationError({"invoice": "ต้องเลือกใบแจ้งหนี้ (choose the invoice to apply to)"})
        invoice = Invoice.objects.select_for_update().get(pk=target)
        if not invoice.is_payable:
            raise ValidationError({"invoice": "ใบแจ้งหนี้นี้ไม่อยู่ในสถานะรอชำระ (invoice is not payable)"})
        applied = min(item.amount, invoice.outstanding)
        item.refund_amount = item.amount - applied
        txn = item.bank_transaction
        payment = apply_payment(
            invoice=invoice,
            amount=applied,
            paid_at=txn.paid_at,
            channel=txn.channel,
            bank_transaction=txn,
            by=by,
        )
        item.invoice = invoice
    elif resolution == PaymentException.Resolution.REFUND:
        item.refund_amount = item.amount
    elif resolution != PaymentException.Resolution.DISMISSED:
        raise ValidationError({"resolution": "วิธีดำเนินการไม่ถูกต้อง (unknown resolution)"})
    item.resolution = resolution
    item.note = (item.note + "\n" if item.note else "") + note.strip()
    item.resolved_by = by
    item.resolved_at = timezone.now()
    item.save()
    if payment is not None:
        issue_receipt(payment_id=payment.pk)
    return item
