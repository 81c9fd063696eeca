"""The one matching rule for bank transactions, shared by callbacks, statement files and the bulk path.

A pure function: given what the bank said, the invoice its Ref1 names and the earlier reports of
the same Ref1, say what to do. Nothing is applied silently when it does not fit exactly: partial,
over-, double and unmatched payments become exceptions for a finance officer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from services.common.buddhist_era import BANGKOK

from .workflow import InvoiceStatus

APPLY = "apply"  # a new payment that settles the invoice
CONFIRM = "confirm"  # the other channel's report of a payment already applied
EXCEPTION = "exception"


class InvoiceLike(Protocol):
    pk: int
    status: str
    ref2: str
    total: Decimal
    paid_amount: Decimal


class ReportLike(Protocol):
    """An earlier bank transaction for the same Ref1 that no other report has confirmed yet."""

    pk: int
    amount: Decimal
    channel: str
    paid_at: dt.datetime


@dataclass(frozen=True)
class Decision:
    action: str
    exception_kind: str = ""
    report: ReportLike | None = None
    note: str = ""


def _same_day(a: dt.datetime, b: dt.datetime) -> bool:
    return a.astimezone(BANGKOK).date() == b.astimezone(BANGKOK).date()


def decide(
    *,
    channel: str,
    biller_id: str,
    ref2: str,
    amount: Decimal,
    paid_at: dt.datetime,
    town_biller_id: str,
    invoice: InvoiceLike | None,
    reports: list[ReportLike],
) -> Decision:
    """What to do with one bank transaction (see the module docstring).

    `reports` are the earlier, not yet confirmed transactions of the same Ref1 (any outcome).
    """
    # The same money reported by the other channel (a callback, then the end-of-day file, or the
    # reverse) — whether that report was applied or queued as an exception, it is not counted twice.
    for report in reports:
        if (
            report.channel != channel
            and report.channel != "counter"
            and report.amount == amount
            and _same_day(report.paid_at, paid_at)
        ):
            return Decision(CONFIRM, report=report)
    if biller_id and town_biller_id and biller_id != town_biller_id:
        return Decision(EXCEPTION, "wrong_biller", note=f"biller {biller_id} ≠ {town_biller_id}")
    if invoice is None:
        return Decision(EXCEPTION, "unmatched", note="Ref1 ไม่ตรงกับใบแจ้งหนี้ใด (no invoice has this Ref1)")
    if ref2 and invoice.ref2 and ref2 != invoice.ref2:
        return Decision(EXCEPTION, "unmatched", note=f"Ref2 {ref2} ≠ {invoice.ref2}")
    if invoice.status == InvoiceStatus.PAID:
        return Decision(EXCEPTION, "double", note="ใบแจ้งหนี้ชำระครบแล้ว (invoice already paid)")
    if invoice.status != InvoiceStatus.OPEN:
        return Decision(EXCEPTION, "not_payable", note=f"สถานะใบแจ้งหนี้: {invoice.status}")
    outstanding = invoice.total - invoice.paid_amount
    if amount < outstanding:
        return Decision(EXCEPTION, "partial", note=f"ค้างชำระ {outstanding}, ได้รับ {amount}")
    if amount > outstanding:
        return Decision(EXCEPTION, "overpaid", note=f"ค้างชำระ {outstanding}, ได้รับ {amount}")
    return Decision(APPLY)


def pick_transfer_invoice(*, by_hint: list[int], by_amount: list[int]) -> int | None:
    """The bill a tag-29 transfer pays: the one the payer's reference names, else the only open bill
    of that amount; None when it is not certain (the queue shows the candidates)."""
    if len(by_hint) == 1:
        return by_hint[0]
    if not by_hint and len(by_amount) == 1:
        return by_amount[0]
    return None
