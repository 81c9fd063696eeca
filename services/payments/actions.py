"""Writes of Fee payment: invoices, bank transactions, payments, receipts, exceptions.

Other services call `raise_invoice(...)` and connect to `signals.invoice_paid`; nothing else here is
their business. Every function runs in one transaction and locks what it changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from services.common import outbox
from services.common.buddhist_era import be_year, fiscal_year, format_be_short
from services.common.models import NumberSeries
from services.common.numbering import next_number
from services.common.workflow import move

from . import promptpay
from .matching import APPLY, CONFIRM, decide
from .models import (
    ZERO,
    BankTransaction,
    Invoice,
    InvoiceLine,
    Payer,
    Payment,
    PaymentException,
    PaymentSettings,
    Receipt,
)
from .signals import invoice_paid
from .workflow import (
    EXCEPTION_TRANSITIONS,
    INVOICE_TRANSITIONS,
    RECEIPT_TRANSITIONS,
    ExceptionStatus,
    InvoiceStatus,
    ReceiptStatus,
)

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")
INVOICE_SERIES = "payments.invoice"
RECEIPT_SERIES = "payments.receipt"
# Test hook for the "worker killed between matching and receipt" test; read only when set.
PAUSE_ENV = "THONGTHIN_PAYMENTS_PAUSE_BEFORE_RECEIPT"


@dataclass(frozen=True)
class InvoiceLineSpec:
    """One fee on an invoice, as another service asks for it."""

    fee_code: str  # e.g. "building_permit", "plan_check", "food_certificate", "garbage", "wastewater"
    description: str  # Thai text shown on the bill/receipt
    quantity: Decimal
    unit_price: Decimal
    rate_version: str = ""  # which dated rate table produced the price

    @property
    def amount(self) -> Decimal:
        return (Decimal(self.quantity) * Decimal(self.unit_price)).quantize(CENT, rounding=ROUND_HALF_UP)


class InvoiceConflict(ValidationError):
    """The source already has a live invoice with different lines."""


# ----------------------------------------------------------------------------------------------
# Numbers and QR


def current_town():
    """The Municipality of the schema this connection is in (the middleware or the Celery task set it)."""
    from tenants.models import Municipality

    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Municipality):
        return tenant
    # schema_context() and the Celery tenancy set only the schema name; the registry is in `public`,
    # which stays on the search path.
    return Municipality.objects.filter(schema_name=connection.schema_name).first()


def take_numbers(series: str, period: str | int, count: int) -> int:
    """Reserve `count` consecutive numbers of a gapless series; returns the first. Inside a transaction.

    The same row and lock as services.common.numbering.next_number, so both can be mixed; a bill run
    takes its block in one statement instead of 10,000.
    """
    if count == 1:
        return next_number(series, period)
    first = next_number(series, period)  # creates and locks the row
    NumberSeries.objects.filter(series=series, period=str(period)).update(last_value=first + count - 1)
    return first


def invoice_number(short_code: str, fiscal: int, sequence: int) -> str:
    """`ALP2569000123`: town code, fiscal year, six-digit sequence; also the QR's Ref1 (A–Z0–9, ≤ 20)."""
    return f"{short_code}{fiscal}{sequence:06d}"


def qr_payload_for(*, town, ref1: str, ref2: str, amount: Decimal, mode: str) -> str:
    """The dynamic Thai QR of a bill: tag 30 with the town's biller ID, else tag 29 to its PromptPay ID."""
    if amount <= 0 or town is None:
        return ""
    if mode == PaymentSettings.QrMode.BILL_PAYMENT and town.promptpay_biller_id:
        return promptpay.bill_payment_payload(
            biller_id=town.promptpay_biller_id, ref1=ref1, ref2=ref2, amount=amount
        )
    if town.promptpay_id:
        return promptpay.credit_transfer_payload(promptpay_id=town.promptpay_id, amount=amount)
    if town.promptpay_biller_id:
        return promptpay.bill_payment_payload(
            biller_id=town.promptpay_biller_id, ref1=ref1, ref2=ref2, amount=amount
        )
    return ""


def _refresh_qr(invoice: Invoice) -> None:
    invoice.qr_payload = (
        qr_payload_for(
            town=current_town(),
            ref1=invoice.ref1,
            ref2=invoice.ref2,
            amount=invoice.outstanding,
            mode=PaymentSettings.current().qr_mode,
        )
        if invoice.is_payable
        else ""
    )


# ----------------------------------------------------------------------------------------------
# Invoices


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
        _mark_paid(invoice, by=by)
    else:
        _notify_invoice(invoice)
    return invoice


def _portal_url(name: str, **kwargs) -> str:
    town = current_town()
    host = town.primary_host if town is not None else ""
    return f"https://{host}{reverse(name, kwargs=kwargs)}"


def _notify_invoice(invoice: Invoice) -> None:
    url = _portal_url("payments:invoice", token=invoice.access_token)
    body = (
        f"ใบแจ้งหนี้ {invoice.number} ยอด {invoice.total:,.2f} บาท ครบกำหนด {format_be_short(invoice.due_date)} "
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


def _mark_paid(invoice: Invoice, *, by=None) -> None:
    move(invoice, to=InvoiceStatus.PAID, by=by, transitions=INVOICE_TRANSITIONS)
    invoice.paid_at = timezone.now()
    invoice.qr_payload = ""
    invoice.save(update_fields=["status", "paid_at", "qr_payload", "paid_amount", "updated_at"])
    # Inside the transaction: see signals.py for why.
    invoice_paid.send(sender=Invoice, invoice=invoice, source=invoice.source, source_id=invoice.source_id)


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


# ----------------------------------------------------------------------------------------------
# Bank transactions → payments → receipts


def statement_line_key(
    *,
    bank_code: str,
    biller_id: str,
    ref1: str,
    ref2: str,
    amount: Decimal,
    paid_at: dt.datetime,
    extra: str = "",
) -> str:
    """A statement line has no transaction id: its fields are its identity (re-importing is a no-op)."""
    text = "|".join([bank_code, biller_id, ref1, ref2, f"{amount:.2f}", paid_at.isoformat(), extra])
    return "stmt:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]


def record_bank_transaction(
    *,
    channel: str,
    transaction_key: str,
    amount: Decimal,
    paid_at: dt.datetime,
    ref1: str = "",
    ref2: str = "",
    ref3: str = "",
    biller_id: str = "",
    bank_code: str = "",
    payer_name: str = "",
    raw: dict | None = None,
    statement=None,
) -> tuple[BankTransaction, bool]:
    """Keep what the bank said, once per transaction key; returns (row, created). Commits on its own."""
    if isinstance(amount, float):
        raise ValidationError({"amount": "จำนวนเงินต้องเป็น Decimal (amount must be Decimal)"})
    amount = Decimal(amount)
    if amount <= 0 or amount != amount.quantize(CENT):
        raise ValidationError(
            {"amount": "จำนวนเงินต้องมากกว่าศูนย์และมีทศนิยมไม่เกิน 2 ตำแหน่ง (positive, 2 decimals)"}
        )
    if not transaction_key:
        raise ValidationError({"transaction_id": "ต้องมีเลขที่รายการของธนาคาร (transaction id is required)"})
    try:
        with transaction.atomic():
            row = BankTransaction.objects.create(
                channel=channel,
                transaction_key=transaction_key[:128],
                amount=amount,
                paid_at=paid_at,
                ref1=ref1.strip().upper()[:20],
                ref2=ref2.strip().upper()[:20],
                ref3=ref3.strip()[:20],
                biller_id=biller_id.strip()[:15],
                bank_code=bank_code[:20],
                payer_name=payer_name[:200],
                raw=raw or {},
                statement=statement,
            )
            return row, True
    except IntegrityError:
        # The same delivery again (a retry, or a concurrent duplicate that committed first).
        return BankTransaction.objects.get(transaction_key=transaction_key[:128]), False


def _apply_payment(
    *,
    invoice: Invoice,
    amount: Decimal,
    paid_at: dt.datetime,
    channel: str,
    bank_transaction: BankTransaction | None,
    by=None,
) -> Payment:
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
        _mark_paid(invoice, by=by)
    else:
        _refresh_qr(invoice)
        invoice.save(update_fields=["paid_amount", "qr_payload", "updated_at"])
    return payment


@transaction.atomic
def match_bank_transaction(*, transaction_id: int) -> Payment | None:
    """Apply one recorded bank transaction: a payment, a confirmation of one, or an exception.

    Safe to run twice or concurrently: the transaction row is locked and only a PENDING one is worked.
    Returns the payment that still needs a receipt, if any.
    """
    txn = BankTransaction.objects.select_for_update().get(pk=transaction_id)
    if txn.outcome != BankTransaction.Outcome.PENDING:
        payment = Payment.objects.filter(bank_transaction=txn).first()
        return payment
    invoice = Invoice.objects.select_for_update().filter(ref1=txn.ref1).first() if txn.ref1 else None
    reports = list(unconfirmed_reports(ref1=txn.ref1, exclude_pk=txn.pk)) if txn.ref1 else []
    town = current_town()
    decision = decide(
        channel=txn.channel,
        biller_id=txn.biller_id,
        ref2=txn.ref2,
        amount=txn.amount,
        paid_at=txn.paid_at,
        town_biller_id=getattr(town, "promptpay_biller_id", ""),
        invoice=invoice,
        reports=reports,
    )
    if decision.action == APPLY:
        payment = _apply_payment(
            invoice=invoice, amount=txn.amount, paid_at=txn.paid_at, channel=txn.channel, bank_transaction=txn
        )
        txn.outcome = BankTransaction.Outcome.MATCHED
        txn.save(update_fields=["outcome"])
        return payment
    if decision.action == CONFIRM:
        txn.confirms_id = decision.report.pk
        txn.outcome = BankTransaction.Outcome.CONFIRMED
        txn.save(update_fields=["outcome", "confirms"])
        Payment.objects.filter(bank_transaction_id=decision.report.pk).update(confirmed_by=txn)
        return None
    PaymentException.objects.create(
        kind=decision.exception_kind,
        bank_transaction=txn,
        invoice=invoice,
        amount=txn.amount,
        note=decision.note,
    )
    txn.outcome = BankTransaction.Outcome.EXCEPTION
    txn.save(update_fields=["outcome"])
    return None


def unconfirmed_reports(*, ref1: str, exclude_pk: int | None = None):
    """Earlier reports (applied or queued, not confirmations) of a Ref1 that nothing has confirmed yet."""
    return (
        BankTransaction.objects.filter(
            ref1=ref1,
            outcome__in=[BankTransaction.Outcome.MATCHED, BankTransaction.Outcome.EXCEPTION],
            confirmation__isnull=True,
        )
        .exclude(pk=exclude_pk)
        .exclude(channel=BankTransaction.Channel.COUNTER)
        .order_by("paid_at", "pk")
    )


def _receipt_number_parts(sequence: int, book_size: int) -> tuple[int, int]:
    return (sequence - 1) // book_size + 1, (sequence - 1) % book_size + 1


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
    book_no, number_in_book = _receipt_number_parts(sequence, settings_row.receipt_book_size)
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
    url = _portal_url("payments:receipt_pdf", token=receipt.verification_token)
    body = (
        f"ได้รับชำระ {receipt.amount:,.2f} บาท ตามใบแจ้งหนี้ {invoice.number} "
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


def _pause_for_tests() -> None:
    seconds = os.environ.get(PAUSE_ENV)
    if seconds:
        time.sleep(float(seconds))


def settle_bank_transaction(*, transaction_id: int) -> Receipt | None:
    """Match a recorded transaction, then issue its receipt (two transactions; each step idempotent).

    A crash between the two leaves a payment without receipt, which the next call (the task retry
    or the periodic sweep) completes: still one receipt, numbered in order.
    """
    payment = match_bank_transaction(transaction_id=transaction_id)
    if payment is None:
        return None
    _pause_for_tests()
    return issue_receipt(payment_id=payment.pk)


def payments_missing_receipts() -> list[int]:
    return list(Payment.objects.filter(receipt__isnull=True).values_list("pk", flat=True)[:1000])


def settle_pending(*, older_than: dt.timedelta = dt.timedelta(seconds=0)) -> int:
    """Finish whatever a crash left: pending bank transactions and payments without a receipt."""
    cutoff = timezone.now() - older_than
    count = 0
    for pk in BankTransaction.objects.filter(
        outcome=BankTransaction.Outcome.PENDING, received_at__lte=cutoff
    ).values_list("pk", flat=True)[:1000]:
        settle_bank_transaction(transaction_id=pk)
        count += 1
    for pk in payments_missing_receipts():
        issue_receipt(payment_id=pk)
        count += 1
    from .models import StatementImport
    from .statements import process_statement_import

    for pk in StatementImport.objects.filter(
        status=StatementImport.Status.PROCESSING, imported_at__lte=cutoff - dt.timedelta(minutes=2)
    ).values_list("pk", flat=True)[:5]:
        process_statement_import(statement_id=pk)
        count += 1
    return count


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
            f"ต้องรับชำระเต็มจำนวนที่ค้าง {invoice.outstanding:,.2f} บาท (take the full outstanding amount)"
        )
    payment = _apply_payment(
        invoice=invoice,
        amount=amount,
        paid_at=timezone.now(),
        channel="counter",
        bank_transaction=None,
        by=by,
    )
    return issue_receipt(payment_id=payment.pk)


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
        _refresh_qr(invoice)
    invoice.save(update_fields=["paid_amount", "status", "paid_at", "qr_payload", "updated_at"])
    return receipt


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
        payment = _apply_payment(
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


def receive_bank_confirmation(*, confirmation, bank: str) -> BankTransaction:
    """A bank's callback: keep it (once per bank transaction id), then settle it at once.

    The row is committed before matching, so a failure while matching loses nothing: the task
    queued here and the periodic sweep finish it. Returns the (possibly earlier) bank transaction.
    """
    txn, _created = record_bank_transaction(
        channel=BankTransaction.Channel.CALLBACK,
        transaction_key=f"{bank}:{confirmation.transaction_id}",
        amount=confirmation.amount,
        paid_at=confirmation.paid_at,
        ref1=confirmation.ref1,
        ref2=confirmation.ref2,
        ref3=confirmation.ref3,
        biller_id=confirmation.biller_id,
        bank_code=confirmation.bank_code or bank,
        payer_name=confirmation.payer_name,
        raw=confirmation.raw,
    )
    try:
        settle_bank_transaction(transaction_id=txn.pk)
    except Exception:
        logger.exception("settling bank transaction %s failed; the sweep will retry", txn.pk)
        from .tasks import settle_bank_transaction as settle_task

        settle_task.delay(txn.pk)
    txn.refresh_from_db()
    return txn


@transaction.atomic
def rotate_bank_secret(*, by) -> str:
    """A new HMAC secret for the town's bank callbacks (audited without the value)."""
    from .models import new_secret

    if by is None or not by.has_perm("payments.change_paymentsettings"):
        raise PermissionDenied("ไม่มีสิทธิ์เปลี่ยนรหัสลับ (you may not change the bank secret)")
    row = PaymentSettings.objects.select_for_update().get(pk=PaymentSettings.current().pk)
    row.bank_hmac_secret = new_secret()
    row.save(update_fields=["bank_hmac_secret"])
    return row.bank_hmac_secret


@transaction.atomic
def save_fee_catalogue_entry(*, instance, by):
    """Add or change a fee type or a dated rate (validated against the type's legal cap); audited."""
    permission = "payments.add_feetier" if instance._meta.model_name == "feetier" else "payments.add_feetype"
    if by is None or not by.has_perm(permission):
        raise PermissionDenied("ไม่มีสิทธิ์แก้ไขอัตราค่าธรรมเนียม (you may not edit the fee catalogue)")
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def save_payer(*, payer: Payer, fees, by) -> Payer:
    """Save a payer and the recurring fees billed to them (one active rate per fee type); audited."""
    from .models import PayerFee

    permission = "payments.change_payer" if payer.pk else "payments.add_payer"
    if by is None or not by.has_perm(permission):
        raise PermissionDenied("ไม่มีสิทธิ์แก้ไขผู้ชำระ (you may not edit payers)")
    payer.full_clean()
    payer.save()
    for tier, quantity in fees:
        PayerFee.objects.filter(payer=payer, tier__fee_type=tier.fee_type).exclude(tier=tier).update(
            is_active=False
        )
        PayerFee.objects.update_or_create(
            payer=payer, tier=tier, defaults={"quantity": quantity, "is_active": True}
        )
    kept_types = {tier.fee_type_id for tier, _quantity in fees}
    PayerFee.objects.filter(payer=payer, tier__fee_type__code__in=["garbage", "wastewater"]).exclude(
        tier__fee_type_id__in=kept_types
    ).update(is_active=False)
    return payer
