"""Reconciling many statement lines at once, with the same rule as callbacks (`matching.decide`).

The same file twice is a no-op (the caller checks its SHA-256), and a line already recorded (same
fields) is counted as a duplicate. Each line goes through `matching.decide` exactly as a callback
does; lines confirming callbacks already applied are marked, not paid twice. 100,000 lines are
written with COPY rather than as 500,000 model instances.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from services.common.buddhist_era import fiscal_year
from services.common.links import town_url
from services.common.models import OutboxMessage
from services.common.money import format_baht
from services.common.workflow import move
from tenants.current import current_town

from .bulk import allocate_ids, copy_rows, update_rows
from .matching import APPLY, CONFIRM, decide
from .models import BankTransaction, Invoice, Payment, PaymentException, PaymentSettings, Receipt, StatementImport
from .official_numbers import RECEIPT_SERIES, receipt_number_parts, statement_line_key, take_numbers
from .payee import refresh_qr
from .signals import invoice_paid
from .statements import StatementLine
from .workflow import INVOICE_TRANSITIONS, InvoiceStatus

CHUNK = 5000
CHANNEL = BankTransaction.Channel.STATEMENT


@dataclass(slots=True)
class _Bill:
    """What matching needs of an invoice, without building a model instance per row."""

    pk: int
    ref1: str
    ref2: str
    status: str
    total: Decimal
    paid_amount: Decimal
    payer_name: str
    payer_phone: str
    number: str
    changed: bool = False


@dataclass(slots=True)
class _Report:
    """An earlier, unconfirmed report of the same Ref1 from another channel (see matching.decide)."""

    pk: int
    amount: Decimal
    channel: str
    paid_at: dt.datetime
    payment_id: int | None


@dataclass
class _Outcome:
    """The rows one reconciliation writes, built in memory before any COPY."""

    transactions: list[dict] = field(default_factory=list)
    payments: list[dict] = field(default_factory=list)
    exceptions: list[dict] = field(default_factory=list)
    confirmations: list[tuple[int, int]] = field(default_factory=list)
    new_payments: list[tuple[int, _Bill, Decimal]] = field(default_factory=list)
    newly_paid: list[int] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)


def _keyed(lines: list[StatementLine]) -> list[tuple[str, StatementLine]]:
    seen: Counter = Counter()
    keyed = []
    for line in lines:
        base = (
            line.bank_code,
            line.biller_id,
            line.ref1,
            line.ref2,
            line.amount,
            line.paid_at,
            line.transaction_id,
        )
        seen[base] += 1
        # Two identical lines in one file are two payments; the occurrence number keeps them apart.
        keyed.append(
            (
                statement_line_key(
                    bank_code=line.bank_code,
                    biller_id=line.biller_id,
                    ref1=line.ref1,
                    ref2=line.ref2,
                    amount=line.amount,
                    paid_at=line.paid_at,
                    extra=f"{line.transaction_id}#{seen[base]}",
                ),
                line,
            )
        )
    return keyed


def _chunks(values: list) -> list[list]:
    return [values[start : start + CHUNK] for start in range(0, len(values), CHUNK)]


def _fresh_lines(lines: list[StatementLine]) -> list[tuple[str, StatementLine]]:
    """The lines not recorded before (by their field digest), oldest payment first."""
    keyed = sorted(_keyed(lines), key=lambda pair: (pair[1].paid_at, pair[1].line_no))
    existing: set[str] = set()
    for chunk in _chunks([key for key, _line in keyed]):
        existing.update(
            BankTransaction.objects.filter(transaction_key__in=chunk).values_list("transaction_key", flat=True)
        )
    return [(key, line) for key, line in keyed if key not in existing]


def _locked_bills(refs: list[str]) -> dict[str, _Bill]:
    """The invoices the lines name, locked for the rest of the transaction."""
    bills: dict[str, _Bill] = {}
    for chunk in _chunks(refs):
        rows = (
            Invoice.objects.select_for_update()
            .filter(ref1__in=chunk)
            .order_by("ref1")  # one lock order for every import
            .values_list(
                "pk", "ref1", "ref2", "status", "total", "paid_amount", "payer_name", "payer_phone", "number"
            )
        )
        for row in rows:
            bills[row[1]] = _Bill(*row)
    return bills


def _earlier_reports(refs: list[str]) -> dict[str, list[_Report]]:
    """Per Ref1, the other channels' reports nothing has confirmed yet (a callback before the file)."""
    reports: dict[str, list[_Report]] = defaultdict(list)
    for chunk in _chunks(refs):
        earlier = (
            BankTransaction.objects.filter(
                ref1__in=chunk,
                outcome__in=[BankTransaction.Outcome.MATCHED, BankTransaction.Outcome.EXCEPTION],
                confirmation__isnull=True,
            )
            .exclude(channel=BankTransaction.Channel.COUNTER)
            .order_by("paid_at", "pk")
            .values_list("ref1", "pk", "amount", "channel", "paid_at", "payment__pk")
        )
        for ref1, *values in earlier:
            reports[ref1].append(_Report(*values))
    return reports


def _decide_lines(
    fresh: list[tuple[str, StatementLine]],
    *,
    statement: StatementImport,
    bills: dict[str, _Bill],
    reports_by_ref: dict[str, list[_Report]],
    town_biller_id: str,
    by,
) -> _Outcome:
    """Run `matching.decide` on each line in order, updating the bills in memory as money lands."""
    out = _Outcome()
    for txn_id, (key, line) in zip(allocate_ids(BankTransaction, len(fresh)), fresh, strict=True):
        confirms_id = None
        bill = bills.get(line.ref1)
        reports = reports_by_ref.get(line.ref1, [])
        decision = decide(
            channel=CHANNEL,
            biller_id=line.biller_id,
            ref2=line.ref2,
            amount=line.amount,
            paid_at=line.paid_at,
            town_biller_id=town_biller_id,
            invoice=bill,
            reports=reports,
        )
        if decision.action == APPLY:
            out.new_payments.append((txn_id, bill, line.amount))
            out.payments.append(
                {
                    "invoice_id": bill.pk,
                    "amount": line.amount,
                    "paid_at": line.paid_at,
                    "channel": CHANNEL,
                    "bank_transaction_id": txn_id,
                    "recorded_by_id": by.pk if by else None,
                    "confirmed_by_id": None,
                }
            )
            bill.paid_amount += line.amount
            bill.changed = True
            if bill.paid_amount >= bill.total:
                move(bill, to=InvoiceStatus.PAID, by=None, transitions=INVOICE_TRANSITIONS)
                out.newly_paid.append(bill.pk)
            outcome = BankTransaction.Outcome.MATCHED
        elif decision.action == CONFIRM:
            reports.remove(decision.report)
            confirms_id = decision.report.pk
            if decision.report.payment_id:
                out.confirmations.append((decision.report.payment_id, txn_id))
            outcome = BankTransaction.Outcome.CONFIRMED
        else:
            out.exceptions.append(
                {
                    "kind": decision.exception_kind,
                    "bank_transaction_id": txn_id,
                    "invoice_id": bill.pk if bill else None,
                    "amount": line.amount,
                    "note": decision.note,
                }
            )
            outcome = BankTransaction.Outcome.EXCEPTION
        out.counts[outcome] += 1
        out.transactions.append(
            {
                "id": txn_id,
                "channel": CHANNEL,
                "transaction_key": key,
                "amount": line.amount,
                "paid_at": line.paid_at,
                "ref1": line.ref1,
                "ref2": line.ref2,
                "ref3": line.ref3,
                "biller_id": line.biller_id,
                "bank_code": line.bank_code,
                "payer_name": line.payer_name,
                "statement_id": statement.pk,
                "raw": {"line": line.line_no, "transaction_id": line.transaction_id},
                "outcome": outcome,
                "confirms_id": confirms_id,
            }
        )
    return out


def _write(out: _Outcome, *, bills: dict[str, _Bill], now: dt.datetime) -> list[int]:
    """COPY the new rows and update the bills; returns the new payments' ids (in `out.payments` order)."""
    copy_rows(BankTransaction, out.transactions, now=now)
    payment_ids = allocate_ids(Payment, len(out.payments))
    for payment_id, row in zip(payment_ids, out.payments, strict=True):
        row["id"] = payment_id
    copy_rows(Payment, out.payments, now=now)
    copy_rows(PaymentException, out.exceptions, now=now)
    update_rows(Payment, ["confirmed_by"], out.confirmations)
    paid = set(out.newly_paid)
    update_rows(
        Invoice,
        ["paid_amount", "status", "paid_at", "qr_payload", "updated_at"],
        [(bill.pk, bill.paid_amount, bill.status, now, "", now) for bill in bills.values() if bill.pk in paid],
    )
    # Partly paid bills keep their status; their QR must ask for the rest, so refresh those one by one
    # (rare: a statement line is applied only when it covers the whole outstanding amount).
    for bill in bills.values():
        if bill.changed and bill.pk not in paid:
            invoice = Invoice.objects.get(pk=bill.pk)
            invoice.paid_amount = bill.paid_amount
            refresh_qr(invoice)
            invoice.save(update_fields=["paid_amount", "qr_payload", "updated_at"])
    return payment_ids


def _announce_paid(invoice_ids: list[int]) -> None:
    """`invoice_paid` for each bill this file closed (inside the transaction, as for callbacks)."""
    if not invoice_ids or not invoice_paid.has_listeners(Invoice):
        return
    for invoice in Invoice.objects.filter(pk__in=invoice_ids).iterator(chunk_size=2000):
        invoice_paid.send(sender=Invoice, invoice=invoice, source=invoice.source, source_id=invoice.source_id)


def reconcile(*, statement: StatementImport, lines: list[StatementLine], by=None) -> None:
    """Record and match many statement lines in the caller's transaction (the bulk path)."""
    town = current_town()
    settings_row = PaymentSettings.current()
    now = timezone.now()
    fresh = _fresh_lines(lines)
    refs = sorted({line.ref1 for _key, line in fresh if line.ref1})
    bills = _locked_bills(refs)
    out = _decide_lines(
        fresh,
        statement=statement,
        bills=bills,
        reports_by_ref=_earlier_reports(refs),
        town_biller_id=getattr(town, "promptpay_biller_id", ""),
        by=by,
    )
    payment_ids = _write(out, bills=bills, now=now)
    _announce_paid(out.newly_paid)
    _issue_receipts_in_bulk(
        [
            (payment_id, bill, amount)
            for payment_id, (_txn, bill, amount) in zip(payment_ids, out.new_payments, strict=True)
        ],
        settings_row=settings_row,
        town=town,
        now=now,
    )
    statement.line_count = len(lines)
    statement.duplicate_count = len(lines) - len(fresh)
    statement.matched_count = out.counts[BankTransaction.Outcome.MATCHED]
    statement.confirmed_count = out.counts[BankTransaction.Outcome.CONFIRMED]
    statement.exception_count = out.counts[BankTransaction.Outcome.EXCEPTION]
    statement.total = sum((line.amount for line in lines), Decimal("0"))
    statement.save()


def _issue_receipts_in_bulk(payments: list[tuple[int, _Bill, Decimal]], *, settings_row, town, now) -> None:
    """One receipt per new payment, numbered from one locked block of the gapless series."""
    if not payments:
        return
    fiscal = fiscal_year(now)
    first = take_numbers(RECEIPT_SERIES, fiscal, len(payments))
    receipt_ids = allocate_ids(Receipt, len(payments))
    receipts, messages = [], []
    for offset, ((payment_id, bill, amount), receipt_id) in enumerate(
        zip(payments, receipt_ids, strict=True)
    ):
        sequence = first + offset
        book_no, number_in_book = receipt_number_parts(sequence, settings_row.receipt_book_size)
        token = uuid.uuid4()
        receipts.append(
            {
                "id": receipt_id,
                "fiscal_year": fiscal,
                "sequence": sequence,
                "book_no": book_no,
                "number_in_book": number_in_book,
                "payment_id": payment_id,
                "invoice_id": bill.pk,
                "payer_name": bill.payer_name,
                "amount": amount,
                "issued_at": now,
                "receiver_name": settings_row.receiver_name,
                "verification_token": token,
            }
        )
        if bill.payer_phone:
            messages.append(
                {
                    "idempotency_key": f"receipt-sms-{receipt_id}",
                    "channel": "sms",
                    "recipient": bill.payer_phone,
                    "next_attempt_at": now,
                    "body": (
                        f"ได้รับชำระ {format_baht(amount)} บาท ตามใบแจ้งหนี้ {bill.number} "
                        f"ใบเสร็จเลขที่ {fiscal}/{sequence:06d}: "
                        + town_url(f"/payments/receipt/{token}/receipt.pdf", town)
                    ),
                }
            )
    copy_rows(Receipt, receipts, now=now)
    # Sent by the outbox sweep within a minute; one Celery message per receipt would flood the broker.
    copy_rows(OutboxMessage, messages, now=now)

