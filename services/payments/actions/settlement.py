"""Bank transactions → payments → receipts: what a bank told us is kept first, then matched, then receipted.

Matching and receipt issuing are separate transactions, each idempotent, so a worker killed between
them is finished by the retry or by the sweep (`settle_pending`).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from services.common.queueing import run_after_commit
from tenants.current import current_town

from .. import dispatch, promptpay
from ..banks.callbacks import MAX_AMOUNT
from ..matching import APPLY, CONFIRM, decide, pick_transfer_invoice
from ..models import (
    BankTransaction,
    Invoice,
    Payment,
    PaymentException,
    PaymentSettings,
    Receipt,
    StatementImport,
)
from ..retrying import retry_on_deadlock
from ..workflow import InvoiceStatus
from .invoices import CENT, apply_payment
from .receipts import issue_receipt, payments_missing_receipts
from .statement_imports import process_statement_import

logger = logging.getLogger(__name__)

# Test hook for the "worker killed between matching and receipt" test; read only when set.
PAUSE_ENV = "THONGTHIN_PAYMENTS_PAUSE_BEFORE_RECEIPT"


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
    if not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT or amount != amount.quantize(CENT):
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


# A tag-29 transfer names no bill: the open bills it could be for, looked at this far back.
TRANSFER_CANDIDATE_DAYS = 120
REVERSAL_NOTE = "ธนาคารแจ้งคืนเงิน/ยกเลิกรายการนี้ (the bank reports this transaction refunded or voided)"


def _transfer_target(txn: BankTransaction, town) -> tuple[Invoice | None, str]:
    """The bill a tag-29 transfer (town's PromptPay ID, no bill reference) pays, and a note.

    The payer's own reference (any of Ref1–3 naming a bill number or payer code) wins; else a bill
    whose outstanding amount no other open bill shares. Otherwise none, with the best candidates.
    """
    since = timezone.localdate() - dt.timedelta(days=TRANSFER_CANDIDATE_DAYS)
    open_bills = (
        Invoice.objects.filter(status=InvoiceStatus.OPEN, issue_date__gte=since)
        .annotate(left=F("total") - F("paid_amount"))
        .filter(left=txn.amount)
    )
    hints = {value.strip().upper() for value in (txn.ref1, txn.ref2, txn.ref3) if value.strip()}
    by_hint = list(open_bills.filter(Q(number__in=hints) | Q(payer__code__in=hints)).values_list("pk", flat=True)[:2])
    candidates = list(open_bills.order_by("due_date", "pk").values_list("pk", "number")[:6])
    chosen = pick_transfer_invoice(by_hint=by_hint, by_amount=[pk for pk, _number in candidates])
    if chosen is not None:
        return Invoice.objects.select_for_update().get(pk=chosen), ""
    numbers = ", ".join(number for _pk, number in candidates[:5]) or "-"
    return None, (
        f"โอนเข้าพร้อมเพย์ของเทศบาลโดยไม่มีเลขใบแจ้งหนี้; ใบแจ้งหนี้ที่ยอดตรงกัน: {numbers} "
        f"(PromptPay transfer without a bill reference; open bills of this amount: {numbers})"
    )


def _is_transfer(txn: BankTransaction, town) -> bool:
    """A tag-29 credit transfer: to the town's PromptPay ID (or no payee given) and not to its biller ID."""
    promptpay_id = getattr(town, "promptpay_id", "") or ""
    biller_id = getattr(town, "promptpay_biller_id", "") or ""
    if txn.biller_id:
        return txn.biller_id != biller_id and promptpay.same_promptpay_id(txn.biller_id, promptpay_id)
    # No payee given: a transfer when it names no bill, or when the town's QRs are tag-29 transfers.
    return not txn.ref1 or PaymentSettings.current().qr_mode == PaymentSettings.QrMode.CREDIT_TRANSFER


@retry_on_deadlock
@transaction.atomic
def match_bank_transaction(*, transaction_id: int) -> Payment | None:
    """Apply one recorded bank transaction: a payment, a confirmation of one, or an exception.

    Safe to run twice or concurrently: the transaction row is locked and only a PENDING one is worked.
    Returns the payment that still needs a receipt, if any.
    """
    txn = BankTransaction.objects.select_for_update().get(pk=transaction_id)
    if txn.outcome != BankTransaction.Outcome.PENDING:
        return Payment.objects.filter(bank_transaction=txn).first()
    invoice = Invoice.objects.select_for_update().filter(ref1=txn.ref1).first() if txn.ref1 else None
    reports = list(unconfirmed_reports(ref1=txn.ref1, exclude_pk=txn.pk)) if txn.ref1 else []
    town = current_town()
    if txn.raw.get("_reversed"):
        # The bank's "refunded" came before (or instead of) its "paid": keep it for a person.
        return _queue(txn, invoice=invoice, kind=PaymentException.Kind.REVERSED, note=REVERSAL_NOTE)
    biller_id, ref2, transfer_note = txn.biller_id, txn.ref2, ""
    if invoice is None and _is_transfer(txn, town):
        invoice, transfer_note = _transfer_target(txn, town)
        # A transfer goes to the PromptPay ID, not the biller ID, and its references are the payer's
        # own words, not our Ref2.
        biller_id, ref2 = "", ""
    decision = decide(
        channel=txn.channel,
        biller_id=biller_id,
        ref2=ref2,
        amount=txn.amount,
        paid_at=txn.paid_at,
        town_biller_id=getattr(town, "promptpay_biller_id", ""),
        invoice=invoice,
        reports=reports,
    )
    if decision.action == APPLY:
        payment = apply_payment(
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
    return _queue(txn, invoice=invoice, kind=decision.exception_kind, note=transfer_note or decision.note)


def _queue(txn: BankTransaction, *, invoice: Invoice | None, kind: str, note: str) -> None:
    """Put the transaction in the exceptions queue with its reason (nothing applied)."""
    PaymentException.objects.create(kind=kind, bank_transaction=txn, invoice=invoice, amount=txn.amount, note=note)
    txn.outcome = BankTransaction.Outcome.EXCEPTION
    txn.save(update_fields=["outcome"])
    return None


@transaction.atomic
def _note_reversal(txn_id: int) -> None:
    """A refund reported after the payment was applied: a finance officer cancels the receipt."""
    txn = BankTransaction.objects.select_for_update().get(pk=txn_id)
    if txn.raw.get("_reversed"):
        return
    txn.raw = {**txn.raw, "_reversed": True}
    txn.save(update_fields=["raw"])
    if txn.outcome == BankTransaction.Outcome.PENDING:
        return  # not matched yet: matching sees the flag and queues it instead of paying
    item = PaymentException.objects.filter(bank_transaction=txn).first()
    if item is not None:
        item.note = f"{item.note}\n{REVERSAL_NOTE}".strip()
        item.save(update_fields=["note"])
        return
    invoice = Invoice.objects.filter(ref1=txn.ref1).first() if txn.ref1 else None
    PaymentException.objects.create(
        kind=PaymentException.Kind.REVERSED, bank_transaction=txn, invoice=invoice, amount=txn.amount,
        note=REVERSAL_NOTE + " — ยกเลิกใบเสร็จหากคืนเงินจริง (cancel the receipt if the money went back)",
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
    for pk in StatementImport.objects.filter(
        status=StatementImport.Status.PROCESSING, imported_at__lte=cutoff - dt.timedelta(minutes=2)
    ).values_list("pk", flat=True)[:5]:
        process_statement_import(statement_id=pk)
        count += 1
    return count


def receive_bank_confirmation(
    *, confirmation, bank: str, channel: str = BankTransaction.Channel.CALLBACK
) -> BankTransaction:
    """A bank's report of a payment (its callback, or its inquiry API's answer): keep it once per bank
    transaction id, then settle it at once.

    The row is committed before matching, so a failure while matching loses nothing: the task
    queued here and the periodic sweep finish it. The same transaction reported again — a retry, a
    callback after the inquiry found it — changes nothing. Returns the (possibly earlier) row.
    """
    raw = {**confirmation.raw, "_reversed": True} if confirmation.reversed else confirmation.raw
    txn, created = record_bank_transaction(
        channel=channel,
        transaction_key=f"{bank}:{confirmation.transaction_id}",
        amount=confirmation.amount,
        paid_at=confirmation.paid_at,
        ref1=confirmation.ref1,
        ref2=confirmation.ref2,
        ref3=confirmation.ref3,
        biller_id=confirmation.biller_id,
        bank_code=confirmation.bank_code or bank,
        payer_name=confirmation.payer_name,
        raw=raw,
    )
    if not created and confirmation.reversed:
        _note_reversal(txn.pk)
    try:
        settle_bank_transaction(transaction_id=txn.pk)
    except Exception:
        logger.exception("settling bank transaction %s failed; the sweep will retry", txn.pk)
        run_after_commit(dispatch.SETTLE_BANK_TRANSACTION, txn.pk)
    txn.refresh_from_db()
    return txn
