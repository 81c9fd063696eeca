"""Bill runs: every active payer's recurring fees for one period, in one transaction, once per period.

Idempotent by the BillRun row (unique period) created in the same transaction as the invoices: a
retry, a second beat tick or a second officer's click finds the run and bills nobody twice. Unpaid
bills of earlier runs are carried forward as an arrears line (ค้างชำระยกมา) and closed as
"carried forward", so a payer always has one bill to pay.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from services.common.buddhist_era import MONTHS_LONG, be_year, fiscal_year, format_be_short
from services.common.links import town_url
from services.common.models import OutboxMessage
from services.common.money import format_baht
from services.common.workflow import move
from tenants.current import current_town

from .bulk import copy_insert, update_columns
from .models import ZERO, BillRun, FeeTier, Invoice, InvoiceLine, Payer, PayerFee, PaymentSettings
from .official_numbers import INVOICE_SERIES, invoice_number, take_numbers
from .payee import qr_payload_for
from .workflow import BILL_RUN_TRANSITIONS, INVOICE_TRANSITIONS, BillRunStatus, InvoiceStatus

CENT = Decimal("0.01")
BILL_RUN_SOURCE = "bill_run"
ARREARS_FEE_CODE = "arrears"
FISCAL_START_MONTH = 10


def months_since_fiscal_start(period: dt.date) -> int:
    return (period.month - FISCAL_START_MONTH) % 12


def is_billing_month(period: dt.date, billing_months: int) -> bool:
    """Monthly fees are invoiced every `billing_months` months, counted from October (fiscal year start)."""
    return months_since_fiscal_start(period) % billing_months == 0


def period_label(start: dt.date, months: int) -> str:
    end_month = (start.month - 1 + months - 1) % 12
    end_year = start.year + (start.month - 1 + months - 1) // 12
    if months == 1:
        return f"{MONTHS_LONG[start.month - 1]} {be_year(start)}"
    return f"{MONTHS_LONG[start.month - 1]} {be_year(start)} – {MONTHS_LONG[end_month]} {end_year + 543}"


def _tier_for(tiers_by_code: dict, tier: FeeTier, period: dt.date) -> FeeTier | None:
    """The version of a tier in force on `period` (rates are dated: a new ordinance adds a new row)."""
    for candidate in tiers_by_code.get((tier.fee_type_id, tier.code), ()):
        if candidate.valid_from <= period and (candidate.valid_to is None or candidate.valid_to >= period):
            return candidate
    return None


def run_bill_run(*, period: dt.date, by=None, today: dt.date | None = None) -> BillRun:
    """Bill every active payer for `period` (any day of the month); returns the run, new or earlier."""
    if by is not None and not by.has_perm("payments.run_billing"):
        raise PermissionDenied("ไม่มีสิทธิ์ออกใบแจ้งหนี้ (you may not run billing)")
    period = period.replace(day=1)
    settings_row = PaymentSettings.current()
    yearly_due = period.month == FISCAL_START_MONTH
    monthly_due = is_billing_month(period, settings_row.billing_months)
    if not (monthly_due or yearly_due):
        raise ValidationError(
            f"เดือนนี้ไม่ใช่รอบเรียกเก็บ (รอบละ {settings_row.billing_months} เดือน เริ่มเดือนตุลาคม) "
            "(this month is not a billing month)"
        )
    with transaction.atomic():
        try:
            with transaction.atomic():
                run = BillRun.objects.create(period=period, started_by=by)
        except IntegrityError:
            return BillRun.objects.get(period=period)
        _bill(
            run,
            settings_row=settings_row,
            monthly_due=monthly_due,
            yearly_due=yearly_due,
            by=by,
            today=today or timezone.localdate(),
        )
    return run


@dataclass
class _PayerBill:
    """One payer's new bill before it is written: its payer, its lines, the older bills it carries."""

    payer: Payer
    lines: list[InvoiceLine] = field(default_factory=list)
    carried: list[Invoice] = field(default_factory=list)


def _bill(
    run: BillRun, *, settings_row: PaymentSettings, monthly_due: bool, yearly_due: bool, by, today: dt.date
) -> None:
    """The body of a bill run (in its transaction): lines per payer, arrears, numbered bills, messages."""
    town = current_town()
    bills = _fee_lines(run.period, months=settings_row.billing_months, monthly_due=monthly_due, yearly_due=yearly_due)
    _carry_arrears(bills)
    invoices = _new_invoices(run, bills, town=town, settings_row=settings_row, by=by, today=today)
    copy_insert(invoices)
    now = timezone.now()
    _write_lines_and_carried(invoices, bills, now=now)
    # Sent by the outbox sweep (every minute); one Celery message per bill would flood the broker.
    copy_insert(_bill_messages(invoices, town=town, now=now), now=now)
    run.invoice_count = len(invoices)
    run.total = sum((invoice.total for invoice in invoices), ZERO)
    move(run, to=BillRunStatus.DONE, by=None, transitions=BILL_RUN_TRANSITIONS)
    run.finished_at = timezone.now()
    run.save(update_fields=["invoice_count", "total", "status", "finished_at"])


def _fee_lines(period: dt.date, *, months: int, monthly_due: bool, yearly_due: bool) -> dict[int, _PayerBill]:
    """Each active payer's recurring fees due this period, priced by the rate version in force."""
    tiers_by_code: dict = defaultdict(list)
    for tier in FeeTier.objects.select_related("fee_type").order_by("-valid_from"):
        tiers_by_code[(tier.fee_type_id, tier.code)].append(tier)
    bills: dict[int, _PayerBill] = {}
    for fee in (
        PayerFee.objects.filter(is_active=True, payer__is_active=True)
        .select_related("payer", "tier")
        .order_by("payer__code", "tier__fee_type__code", "tier__code")
    ):
        tier = _tier_for(tiers_by_code, fee.tier, period)
        if tier is None or not tier.fee_type.is_active:
            continue
        if tier.frequency == FeeTier.Frequency.YEARLY:
            if not yearly_due:
                continue
            quantity, label = fee.quantity, f"ปีงบประมาณ {fiscal_year(period)}"
        else:
            if not monthly_due:
                continue
            quantity, label = fee.quantity * months, period_label(period, months)
        unit = "ลบ.ม." if tier.basis == FeeTier.Basis.PER_CUBIC_METRE else "เดือน"
        description = f"{tier.fee_type.name_th} ({tier.name_th}) {label}"
        if tier.frequency == FeeTier.Frequency.MONTHLY and (months > 1 or fee.quantity != 1):
            description += f" — {quantity.normalize():f} {unit}"
        amount = (quantity * tier.amount).quantize(CENT, rounding=ROUND_HALF_UP)
        bills.setdefault(fee.payer_id, _PayerBill(payer=fee.payer)).lines.append(
            InvoiceLine(
                fee_code=tier.fee_type.code,
                description=description[:300],
                quantity=quantity,
                unit_price=tier.amount,
                amount=amount,
                rate_version=tier.rate_version,
            )
        )
    return bills


def _carry_arrears(bills: dict[int, _PayerBill]) -> None:
    """Unpaid bills of earlier runs move onto the new bill as ค้างชำระยกมา lines (locked until commit)."""
    for old in (
        Invoice.objects.select_for_update()
        .filter(source=BILL_RUN_SOURCE, status=InvoiceStatus.OPEN, payer_id__in=list(bills))
        .order_by("issue_date", "pk")
    ):
        if old.outstanding <= 0:
            continue
        bill = bills[old.payer_id]
        bill.carried.append(old)
        bill.lines.append(
            InvoiceLine(
                fee_code=ARREARS_FEE_CODE,
                description=f"ค้างชำระยกมา ตามใบแจ้งหนี้ {old.number} ({format_be_short(old.issue_date)})",
                quantity=Decimal("1"),
                unit_price=old.outstanding,
                amount=old.outstanding,
            )
        )


def _new_invoices(
    run: BillRun, bills: dict[int, _PayerBill], *, town, settings_row: PaymentSettings, by, today: dt.date
) -> list[Invoice]:
    """The bills in memory, numbered from one block of the gapless series; a zero bill is paid at once."""
    fiscal = fiscal_year(today)
    first = take_numbers(INVOICE_SERIES, fiscal, len(bills)) if bills else 0
    due = today + dt.timedelta(days=settings_row.due_days)
    invoices = []
    for offset, bill in enumerate(bills.values()):
        payer = bill.payer
        total = sum((line.amount for line in bill.lines), ZERO)
        number = invoice_number(town.short_code, fiscal, first + offset)
        invoice = Invoice(
            number=number,
            ref1=number,
            ref2=payer.code,
            fiscal_year=fiscal,
            payer=payer,
            payer_name=payer.name,
            payer_phone=payer.phone,
            payer_email=payer.email,
            community=payer.community,
            source=BILL_RUN_SOURCE,
            source_id=f"{run.period:%Y-%m}:{payer.code}",
            bill_run=run,
            issue_date=today,
            due_date=due,
            total=total,
            created_by=by,
        )
        invoice.qr_payload = (
            qr_payload_for(town=town, ref1=number, ref2=payer.code, amount=total, mode=settings_row.qr_mode)
            if total > 0
            else ""
        )
        if total == 0:
            move(invoice, to=InvoiceStatus.PAID, by=None, transitions=INVOICE_TRANSITIONS)
            invoice.paid_at = timezone.now()
        invoices.append(invoice)
    return invoices


def _write_lines_and_carried(invoices: list[Invoice], bills: dict[int, _PayerBill], *, now) -> None:
    all_lines, carried = [], []
    for invoice in invoices:
        bill = bills[invoice.payer_id]
        for position, line in enumerate(bill.lines, start=1):
            line.invoice = invoice
            line.position = position
            all_lines.append(line)
        for old in bill.carried:
            move(old, to=InvoiceStatus.CARRIED_FORWARD, by=None, transitions=INVOICE_TRANSITIONS)
            old.carried_to = invoice
            old.qr_payload = ""
            old.updated_at = now
            carried.append(old)
    copy_insert(all_lines)
    update_columns(carried, ["status", "carried_to", "qr_payload", "updated_at"])


def _bill_messages(invoices: list[Invoice], *, town, now) -> list[OutboxMessage]:
    return [
        OutboxMessage(
            idempotency_key=f"invoice-sms-{invoice.number}",
            channel="sms",
            recipient=invoice.payer_phone,
            body=(
                f"{town.name_th}: ใบแจ้งหนี้ {invoice.number} ยอด {format_baht(invoice.total)} บาท "
                f"ครบกำหนด {format_be_short(invoice.due_date)} ดูและชำระด้วย QR ที่ "
                + town_url(f"/payments/bill/{invoice.access_token}/", town)
            ),
            next_attempt_at=now,
        )
        for invoice in invoices
        if invoice.payer_phone and invoice.total > 0
    ]


def run_due_bill_run(today: dt.date | None = None) -> BillRun | None:
    """Beat: bill this month if the town bills automatically, on or after its bill day, in a billing month."""
    settings_row = PaymentSettings.current()
    today = today or timezone.localdate()
    if not settings_row.auto_bill_runs or today.day < settings_row.bill_day:
        return None
    period = today.replace(day=1)
    if not (is_billing_month(period, settings_row.billing_months) or period.month == FISCAL_START_MONTH):
        return None
    if BillRun.objects.filter(period=period).exists():
        return None
    return run_bill_run(period=period, today=today)
