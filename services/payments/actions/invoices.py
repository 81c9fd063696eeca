"""Invoices: raise one for any fee of the town, apply money to it, cancel it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from services.common import outbox
from services.common.buddhist_era import be_year, fiscal_year, format_be_short
from services.common.links import town_url
from services.common.money import format_baht
from services.common.workflow import move
from tenants.current import current_town

from ..models import ZERO, BankTransaction, Invoice, InvoiceLine, Payer, Payment, PaymentSettings
from ..official_numbers import INVOICE_SERIES, invoice_number, take_numbers
from ..payee import qr_payload_for, refresh_qr
from ..signals import invoice_paid
from ..workflow import INVOICE_TRANSITIONS, InvoiceStatus

CENT = Decimal("0.01")


@dataclass(frozen=True)
class InvoiceLineSpec:
    """One fee on an invoice, as another service asks for it."""

    fee_code: str  # the fee type's code in the town's catalogue (a service registers its own)
    description: str  # Thai text shown on the bill/receipt
    quantity: Decimal
    unit_price: Decimal
    rate_version: str = ""  # which dated rate table produced the price

    @property
    def amount(self) -> Decimal:
        return (Decimal(self.quantity) * Decimal(self.unit_price)).quantize(CENT, rounding=ROUND_HALF_UP)


class InvoiceConflict(ValidationError):
    """The source already has a live invoice with different lines."""


def _validate_lines(lines: Sequence[InvoiceLineSpec]) -> None:
    if not lines:
        raise ValidationError({"lines": "ต้องมีอย่างน้อยหนึ่งรายการ (at least one line is required)"})
    for index, line in enumerate(lines, start=1):
        for name in ("quantity", "unit_price"):
            if isinstance(getattr(line, name), float):
                raise ValidationError(
                    {"lines": f"รายการที่ {index}: {name} ต้องเป็น Decimal (must be Decimal, not float)"}
                )
        if not line.fee_code or not line.description:
            raise ValidationError(
                {"lines": f"รายการที่ {index}: ต้องระบุรหัสและรายละเอียด (fee_code and description required)"}
            )
        if Decimal(line.quantity) <= 0:
            raise ValidationError(
                {"lines": f"รายการที่ {index}: จำนวนต้องมากกว่าศูนย์ (quantity must be positive)"}
            )
        if Decimal(line.unit_price) < 0:
            raise ValidationError(
                {"lines": f"รายการที่ {index}: ราคาต้องไม่ติดลบ (unit price must not be negative)"}
            )


@transaction.atomic
def raise_invoice(
    *,
    payer_name: str,
    payer_phone: str = "",
    payer_email: str = "",
    lines: Sequence[InvoiceLineSpec],
    source: str,
    source_id: str,
    due_date: dt.date | None = None,
    by=None,
    payer: Payer | None = None,
) -> Invoice:
    """Bill someone for one or more fees; returns the invoice with its number, Ref1/Ref2 and QR payload.

    Idempotent per (source, source_id): asking again with the same lines returns the live invoice
    (asking with different lines raises InvoiceConflict; cancel the old one first). A zero total
    (an exemption) is paid at once and `invoice_paid` is sent.
    """
    _validate_lines(lines)
    if not payer_name.strip():
        raise ValidationError({"payer_name": "ต้องระบุชื่อผู้ชำระ (payer name is required)"})
    if not source or not source_id:
        raise ValidationError({"source": "ต้องระบุที่มาของใบแจ้งหนี้ (source and source_id are required)"})
    total = sum((line.amount for line in lines), ZERO)
    existing = (
        Invoice.objects.filter(source=source, source_id=str(source_id))
        .exclude(status=InvoiceStatus.CANCELLED)
        .first()
    )
    if existing is not None:
        if existing.total != total:
            raise InvoiceConflict(
                f"มีใบแจ้งหนี้ {existing.number} ของรายการนี้อยู่แล้วด้วยยอดต่างกัน "
                f"(source already has invoice {existing.number} with a different total)"
            )
        return existing
    town = current_town()
    settings_row = PaymentSettings.current()
    today = timezone.localdate()
    fiscal = fiscal_year(today)
    sequence = take_numbers(INVOICE_SERIES, fiscal, 1)
    number = invoice_number(town.short_code, fiscal, sequence)
    ref2 = payer.code if payer else f"{be_year(today)}{today.month:02d}"
    invoice = Invoice(
        number=number,
        ref1=number,
        ref2=ref2,
        fiscal_year=fiscal,
        payer=payer,
        payer_name=payer_name.strip(),
        payer_phone=payer_phone.strip(),
        payer_email=payer_email.strip(),
        community=payer.community if payer else "",
        source=source,
        source_id=str(source_id),
        issue_date=today,
        due_date=due_date or today + dt.timedelta(days=settings_row.due_days),
        total=total,
        created_by=by,
    )
    invoice.qr_payload = qr_payload_for(
        town=town, ref1=invoice.ref1, ref2=ref2, amount=total, mode=settings_row.qr_mode
    )
    try:
        with transaction.atomic():
            invoice.save()
    except IntegrityError:
        # Another request raised it for the same source a moment ago.
        existing = Invoice.objects.get(
            source=source,
            source_id=str(source_id),
            status__in=[InvoiceStatus.OPEN, InvoiceStatus.PAID, InvoiceStatus.CARRIED_FORWARD],
        )
        if existing.total != total:
            raise InvoiceConflict("มีใบแจ้งหนี้ของรายการนี้อยู่แล้ว (source already has an invoice)") from None
        return existing
    InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(
                invoice=invoice,
                position=index,
                fee_code=line.fee_code,
                description=line.description,
                quantity=Decimal(line.quantity),
                unit_price=Decimal(line.unit_price),
                amount=line.amount,
                rate_version=line.rate_version,
            )
            for index, line in enumerate(lines, start=1)
        ]
    )
    if total == 0:
        mark_paid(invoice, by=by)
    else:
        _notify_invoice(invoice)
    return invoice


def _notify_invoice(invoice: Invoice) -> None:
    url = town_url(reverse("payments:invoice", kwargs={"token": invoice.access_token}))
    body = (
        f"ใบแจ้งหนี้ {invoice.number} ยอด {format_baht(invoice.total)} บาท ครบกำหนด {format_be_short(invoice.due_date)} "
        f"ชำระผ่าน QR พร้อมเพย์: {url}"
    )
    outbox.enqueue(
        channel="sms", recipient=invoice.payer_phone, body=body, key=f"invoice-sms-{invoice.number}"
    )
    outbox.enqueue(
        channel="email",
        recipient=invoice.payer_email,
        body=body,
        subject=f"ใบแจ้งหนี้ {invoice.number}",
        key=f"invoice-email-{invoice.number}",
    )


def mark_paid(invoice: Invoice, *, by=None) -> None:
    """Close a fully paid bill and tell the service that raised it (inside the caller's transaction)."""
    move(invoice, to=InvoiceStatus.PAID, by=by, transitions=INVOICE_TRANSITIONS)
    invoice.paid_at = timezone.now()
    invoice.qr_payload = ""
    invoice.save(update_fields=["status", "paid_at", "qr_payload", "paid_amount", "updated_at"])
    # Inside the transaction: see signals.py for why.
    invoice_paid.send(sender=Invoice, invoice=invoice, source=invoice.source, source_id=invoice.source_id)


def apply_payment(
    *,
    invoice: Invoice,
    amount: Decimal,
    paid_at: dt.datetime,
    channel: str,
    bank_transaction: BankTransaction | None,
    by=None,
) -> Payment:
    """Put money on a locked bill: the payment row, the paid amount, and the bill closed once covered."""
    payment = Payment.objects.create(
        invoice=invoice,
        amount=amount,
        paid_at=paid_at,
        channel=channel,
        bank_transaction=bank_transaction,
        recorded_by=by,
    )
    invoice.paid_amount += amount
    if invoice.paid_amount >= invoice.total:
        mark_paid(invoice, by=by)
    else:
        refresh_qr(invoice)
        invoice.save(update_fields=["paid_amount", "qr_payload", "updated_at"])
    return payment


@transaction.atomic
def cancel_invoice(*, invoice_id: int, by, reason: str) -> Invoice:
    """Cancel an unpaid invoice (keeps its number); a paid one needs its receipts cancelled first."""
    if not reason.strip():
        raise ValidationError({"reason": "ต้องระบุเหตุผล (a reason is required)"})
    invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
    if invoice.paid_amount > 0:
        raise ValidationError(
            "ใบแจ้งหนี้มีการชำระแล้วบางส่วน ยกเลิกใบเสร็จก่อน (partly paid: cancel its receipts first)"
        )
    move(invoice, to=InvoiceStatus.CANCELLED, by=by, transitions=INVOICE_TRANSITIONS)
    invoice.cancel_reason = reason.strip()
    invoice.qr_payload = ""
    invoice.save(update_fields=["status", "cancel_reason", "qr_payload", "updated_at"])
    return invoice
