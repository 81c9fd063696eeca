"""Official numbers of payments: invoice numbers (also the QR's Ref1) and receipt book/number.

Both come from the gapless counter of services.common.numbering (a row per series and fiscal year,
locked in the transaction that uses the number).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from services.common.models import NumberSeries
from services.common.numbering import next_number

INVOICE_SERIES = "payments.invoice"
RECEIPT_SERIES = "payments.receipt"


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


def receipt_number_parts(sequence: int, book_size: int) -> tuple[int, int]:
    """(book no., number in book) of the n-th receipt of the year (MoI receipts come in books)."""
    return (sequence - 1) // book_size + 1, (sequence - 1) % book_size + 1


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
