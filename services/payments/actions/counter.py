"""Money taken at the town's counter (cash or card) by a finance officer."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from services.common.money import format_baht

from ..models import Invoice, Receipt
from .invoices import apply_payment
from .receipts import issue_receipt


@transaction.atomic
def record_counter_payment(*, invoice_id: int, amount: Decimal, by) -> Receipt:
    """Cash or card at the town's counter: the officer takes the full outstanding amount."""
    if by is None or not by.has_perm("payments.add_payment"):
        raise PermissionDenied("ไม่มีสิทธิ์รับชำระเงิน (you may not take payments)")
    invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
    amount = Decimal(amount)
    if not invoice.is_payable:
        raise ValidationError("ใบแจ้งหนี้นี้ไม่อยู่ในสถานะรอชำระ (this invoice is not payable)")
    if amount != invoice.outstanding:
        raise ValidationError(
            f"ต้องรับชำระเต็มจำนวนที่ค้าง {format_baht(invoice.outstanding)} บาท (take the full outstanding amount)"
        )
    payment = apply_payment(
        invoice=invoice,
        amount=amount,
        paid_at=timezone.now(),
        channel="counter",
        bank_transaction=None,
        by=by,
    )
    return issue_receipt(payment_id=payment.pk)
