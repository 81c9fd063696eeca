"""Bill runs: every active payer's recurring fees for one period, in one transaction, once per period.

Idempotent by the BillRun row (unique period) created in the same transaction as the invoices: a
retry, a second beat tick or a second officer's click finds the run and bills nobody twice. Unpaid
bills of earlier runs are carried forward as an arrears line (ค้างชำระยกมา) and closed as
"carried forward", so a payer always has one bill to pay.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from services.common.buddhist_era import MONTHS_LONG, be_year, fiscal_year, format_be_short
from services.common.models import OutboxMessage

from .actions import INVOICE_SERIES, current_town, invoice_number, qr_payload_for, take_numbers
from .bulk import copy_insert, update_columns
from .models import ZERO, BillRun, FeeTier, Invoice, InvoiceLine, PayerFee, PaymentSettings
from .workflow import InvoiceStatus

CENT = Decimal("0.01")
BILL_RUN_SOURCE = "bill_run"
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


def _bill(
    run: BillRun, *, settings_row: PaymentSettings, monthly_due: bool, yearly_due: bool, by, today: dt.date
) -> None:
    town = current_town()
    period = run.period
    months = settings_row.billing_months
    tiers_by_code: dict = defaultdict(list)
    for tier in FeeTier.objects.select_related("fee_type").order_by("-valid_from"):
        tiers_by_code[(tier.fee_type_id, tier.code)].append(tier)

    lines_by_payer: dict[int, list[InvoiceLine]] = defaultdict(list)
    payers = {}
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
        lines_by_payer[fee.payer_id].append(
            InvoiceLine(
                fee_code=tier.fee_type.code,
                description=description[:300],
                quantity=quantity,
                unit_price=tier.amount,
                amount=amount,
                rate_version=tier.rate_version,
            )
        )
        payers[fee.payer_id] = fee.payer

    # Arrears: unpaid bills of earlier runs move onto the new bill.
    arrears: dict[int, list[Invoice]] = defaultdict(list)
    for old in (
        Invoice.objects.select_for_update()
        .filter(source=BILL_RUN_SOURCE, status=InvoiceStatus.OPEN, payer_id__in=list(lines_by_payer))
        .order_by("issue_date", "pk")
    ):
        if old.outstanding > 0:
            arrears[old.payer_id].append(old)

    fiscal = fiscal_year(today)
    payer_ids = list(lines_by_payer)
    first = take_numbers(INVOICE_SERIES, fiscal, len(payer_ids)) if payer_ids else 0
    due = today + dt.timedelta(days=settings_row.due_days)
    invoices = []
    for offset, payer_id in enumerate(payer_ids):
        payer = payers[payer_id]
        lines = lines_by_payer[payer_id]
        for old in arrears.get(payer_id, ()):
            lines.append(
                InvoiceLine(
                    fee_code="arrears",
                    description=f"ค้างชำระยกมา ตามใบแจ้งหนี้ {old.number} ({format_be_short(old.issue_date)})",
                    quantity=Decimal("1"),
                    unit_price=old.outstanding,
                    amount=old.outstanding,
                )
            )
        total = sum((line.amount for line in lines), ZERO)
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
            source_id=f"{period:%Y-%m}:{payer.code}",
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
            invoice.status = InvoiceStatus.PAID
            invoice.paid_at = timezone.now()
        invoices.append(invoice)
    copy_insert(invoices)

    all_lines = []
    carried = []
    messages = []
    now = timezone.now()
    for invoice in invoices:
        for position, line in enumerate(lines_by_payer[invoice.payer_id], start=1):
            line.invoice = invoice
            line.position = position
            all_lines.append(line)
        for old in arrears.get(invoice.payer_id, ()):
            old.status = InvoiceStatus.CARRIED_FORWARD
            old.carried_to = invoice
            old.qr_payload = ""
            old.updated_at = now
            carried.append(old)
        if invoice.payer_phone and invoice.total > 0:
            messages.append(
                OutboxMessage(
                    idempotency_key=f"invoice-sms-{invoice.number}",
                    channel="sms",
                    recipient=invoice.payer_phone,
                    body=(
                        f"{town.name_th}: ใบแจ้งหนี้ {invoice.number} ยอด {invoice.total:,.2f} บาท "
                        f"ครบกำหนด {format_be_short(invoice.due_date)} ดูและชำระด้วย QR ที่ "
                        f"https://{town.primary_host}/payments/bill/{invoice.access_token}/"
                    ),
                    next_attempt_at=now,
                )
            )
    copy_insert(all_lines)
    update_columns(carried, ["status", "carried_to", "qr_payload", "updated_at"])
    # Sent by the outbox sweep (every minute); one Celery message per bill would flood the broker.
    copy_insert(messages, now=now)

    run.invoice_count = len(invoices)
    run.total = sum((invoice.total for invoice in invoices), ZERO)
    run.status = BillRun.Status.DONE
    run.finished_at = timezone.now()
    run.save(update_fields=["invoice_count", "total", "status", "finished_at"])


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
