"""Fee payment figures for the national summary: money collected (in all and by fee type, by
channel), bills issued, share paid on time, arrears at the month's end. Aggregates only."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Invoice, InvoiceLine, Payment
from .workflow import InvoiceStatus, ReceiptStatus

CENT = Decimal("0.01")


def _by_fee_type(payments: list[tuple[int, Decimal]]) -> dict[str, Decimal]:
    """Split each payment over its bill's lines in proportion to their amounts; the rounding
    remainder goes to the largest fee type so the parts always add up to the money collected."""
    lines: dict[int, list[tuple[str, Decimal]]] = defaultdict(list)
    for invoice_id, fee_code, amount in InvoiceLine.objects.filter(
        invoice_id__in={invoice_id for invoice_id, _a in payments}
    ).values_list("invoice_id", "fee_code", "amount"):
        lines[invoice_id].append((fee_code, amount))
    raw: dict[str, Decimal] = defaultdict(Decimal)
    for invoice_id, amount in payments:
        parts = lines.get(invoice_id) or [("other", amount)]
        whole = sum((line_amount for _c, line_amount in parts), Decimal("0")) or Decimal("1")
        for fee_code, line_amount in parts:
            raw[fee_code] += amount * line_amount / whole
    split = {code: value.quantize(CENT, ROUND_HALF_UP) for code, value in raw.items()}
    total = sum((amount for _i, amount in payments), Decimal("0"))
    if split:
        largest = max(split, key=split.get)
        split[largest] += total - sum(split.values())
    return split


def monthly_figures(start: dt.datetime, end: dt.datetime) -> dict | None:
    """Payments received in [start, end) (receipts not cancelled), bills issued in the month, bills
    falling due in it and how many were paid by the due date, and what was owed at the month's end."""
    tz = timezone.get_default_timezone()
    first, last = start.astimezone(tz).date(), (end.astimezone(tz) - dt.timedelta(microseconds=1)).date()
    received = Payment.objects.filter(paid_at__gte=start, paid_at__lt=end).exclude(
        receipt__status=ReceiptStatus.CANCELLED
    )
    payments = list(received.values_list("invoice_id", "amount"))
    channels = dict(received.values("channel").annotate(n=Count("pk")).values_list("channel", "n"))
    live = Invoice.objects.exclude(status=InvoiceStatus.CANCELLED)
    issued = live.filter(issue_date__gte=first, issue_date__lte=last).aggregate(n=Count("pk"), amount=Sum("total"))
    due = live.filter(due_date__gte=first, due_date__lte=last).exclude(status=InvoiceStatus.CARRIED_FORWARD)
    bills_due = due.count()
    on_time = sum(
        1
        for paid_at, due_date in due.filter(paid_at__isnull=False).values_list("paid_at", "due_date")
        if paid_at.astimezone(tz).date() <= due_date
    )
    # Owed at the month's end: bills past due by then, less what had been paid by then.
    moment = min(end, timezone.now())
    paid_by_then = Q(payments__paid_at__lt=moment) & ~Q(payments__receipt__status=ReceiptStatus.CANCELLED)
    arrears = list(
        live.filter(due_date__lt=moment.astimezone(tz).date(), created_at__lt=moment)
        .exclude(status=InvoiceStatus.CARRIED_FORWARD)
        .annotate(settled=Coalesce(Sum("payments__amount", filter=paid_by_then), Decimal("0")))
        .filter(settled__lt=F("total"))
        .values_list("total", "settled")
    )
    if not (payments or issued["n"] or bills_due or arrears):
        return None
    collected = sum((amount for _i, amount in payments), Decimal("0"))
    return {
        "money_collected": str(collected.quantize(CENT)),
        "money_by_fee_type": {code: str(value) for code, value in sorted(_by_fee_type(payments).items())},
        "payments": len(payments),
        "payments_by_channel": channels,
        "bills_issued": issued["n"],
        "billed_amount": str((issued["amount"] or Decimal("0")).quantize(CENT)),
        "bills_due": bills_due,
        "bills_paid_on_time": on_time,
        "arrears_amount": str(sum((total - settled for total, settled in arrears), Decimal("0")).quantize(CENT)),
        "bills_in_arrears": len(arrears),
    }
