"""Official receipts (ใบเสร็จรับเงิน): exactly one per payment, numbered without gaps; cancelled with a reason."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from services.common import outbox
from services.common.buddhist_era import fiscal_year
from services.common.links import town_url
from services.common.money import format_baht
from services.common.numbering import next_number
from services.common.workflow import move

from ..models import Invoice, Payment, PaymentSettings, Receipt
from ..official_numbers import RECEIPT_SERIES, receipt_number_parts
from ..payee import refresh_qr
from ..retrying import retry_on_deadlock
from ..workflow import INVOICE_TRANSITIONS, RECEIPT_TRANSITIONS, InvoiceStatus, ReceiptStatus


@retry_on_deadlock
@transaction.atomic
def issue_receipt(*, payment_id: int) -> Receipt:
    """Issue the official receipt of a payment: exactly one per payment, numbered without gaps."""
    payment = (
        Payment.objects.select_for_update(of=("self",))
        .select_related("invoice", "recorded_by")
        .get(pk=payment_id)
    )
    existing = Receipt.objects.filter(payment=payment).first()
    if existing is not None:
        return existing
    settings_row = PaymentSettings.current()
    now = timezone.now()
    fiscal = fiscal_year(now)
    sequence = next_number(RECEIPT_SERIES, fiscal)
    book_no, number_in_book = receipt_number_parts(sequence, settings_row.receipt_book_size)
    receipt = Receipt.objects.create(
        fiscal_year=fiscal,
        sequence=sequence,
        book_no=book_no,
        number_in_book=number_in_book,
        payment=payment,
        invoice=payment.invoice,
        payer_name=payment.invoice.payer_name,
        amount=payment.amount,
        issued_at=now,
        receiver_name=_receiver_name(payment, settings_row),
    )
    _notify_receipt(receipt)
    return receipt


def _receiver_name(payment: Payment, settings_row: PaymentSettings) -> str:
    """The officer who took the money at the counter; for bank payments the town's named receiver."""
    officer = payment.recorded_by
    if officer is not None:
        return (officer.get_full_name() or officer.get_username())[:200]
    return settings_row.receiver_name


def _notify_receipt(receipt: Receipt) -> None:
    invoice = receipt.invoice
    url = town_url(reverse("payments:receipt_pdf", kwargs={"token": receipt.verification_token}))
    body = (
        f"ได้รับชำระ {format_baht(receipt.amount)} บาท ตามใบแจ้งหนี้ {invoice.number} "
        f"ใบเสร็จเลขที่ {receipt.display_number}: {url}"
    )
    outbox.enqueue(channel="sms", recipient=invoice.payer_phone, body=body, key=f"receipt-sms-{receipt.pk}")
    outbox.enqueue(
        channel="email",
        recipient=invoice.payer_email,
        body=body,
        subject=f"ใบเสร็จรับเงิน {receipt.display_number}",
        key=f"receipt-email-{receipt.pk}",
    )


def payments_missing_receipts() -> list[int]:
    """Payments a crash left without their receipt (the sweep issues them)."""
    return list(Payment.objects.filter(receipt__isnull=True).values_list("pk", flat=True)[:1000])


@transaction.atomic
def cancel_receipt(*, receipt_id: int, by, reason: str) -> Receipt:
    """Cancel a receipt (its number stays used, with the reason); the invoice reopens for the amount."""
    if not reason or not reason.strip():
        raise ValidationError({"reason": "ต้องระบุเหตุผลการยกเลิก (a reason is required)"})
    receipt = Receipt.objects.select_for_update().get(pk=receipt_id)
    move(receipt, to=ReceiptStatus.CANCELLED, by=by, transitions=RECEIPT_TRANSITIONS)
    receipt.cancel_reason = reason.strip()
    receipt.cancelled_by = by
    receipt.cancelled_at = timezone.now()
    receipt.save(update_fields=["status", "cancel_reason", "cancelled_by", "cancelled_at"])
    invoice = Invoice.objects.select_for_update().get(pk=receipt.invoice_id)
    invoice.paid_amount -= receipt.amount
    if invoice.status == InvoiceStatus.PAID:
        move(invoice, to=InvoiceStatus.OPEN, by=by, transitions=INVOICE_TRANSITIONS)
        invoice.paid_at = None
    if invoice.status == InvoiceStatus.OPEN:
        refresh_qr(invoice)
    invoice.save(update_fields=["paid_amount", "status", "paid_at", "qr_payload", "updated_at"])
    return receipt
