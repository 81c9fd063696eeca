"""Reads of Fee payment; who may see what is enforced here."""

from __future__ import annotations

import datetime as dt
import ipaddress
import uuid
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from services.common.buddhist_era import BANGKOK
from services.common.thai_phone import normalize_thai_phone

from .models import (
    ZERO,
    BankConnection,
    BankTransaction,
    ChaseRun,
    Invoice,
    InvoiceLine,
    Payer,
    PayerLink,
    Payment,
    PaymentException,
    Receipt,
)
from .workflow import ExceptionStatus, InvoiceStatus, ReceiptStatus


def invoice_by_token(token: uuid.UUID | str) -> Invoice | None:
    """The bill a portal link points at (the token is the secret; no login needed)."""
    return Invoice.objects.filter(access_token=token).prefetch_related("lines").first()


def receipt_by_token(token: uuid.UUID | str) -> Receipt | None:
    """The receipt a verification QR points at; public, shows no more than the receipt itself."""
    return Receipt.objects.filter(verification_token=token).select_related("invoice").first()


def payer_for_lookup(*, code: str, phone: str) -> Payer | None:
    """A payer identified by code + the phone number on file (both must match)."""
    code = (code or "").strip().upper()
    phone = normalize_thai_phone(phone or "")
    if not code or not phone:
        return None
    payer = Payer.objects.filter(code=code, is_active=True).first()
    if payer is None or not payer.phone:
        return None
    return payer if normalize_thai_phone(payer.phone) == phone else None


def payers_of_user(user) -> QuerySet[Payer]:
    """The payers whose bills a signed-in citizen may see: those carrying the national ID a digital-ID
    provider verified for them, and those linked by proof (a code to the payer's phone, or the town's
    check). A matching phone number alone is no proof and grants nothing."""
    if user is None or not user.is_authenticated or getattr(user, "kind", "") != "citizen":
        return Payer.objects.none()
    proof = Q(links__user=user, links__status=PayerLink.Status.ACTIVE)
    national_id = getattr(user, "verified_national_id", "")
    if national_id:
        proof |= Q(national_id=national_id)
    return Payer.objects.filter(proof, is_active=True).distinct().order_by("code")


def may_see_payer(user, payer: Payer) -> bool:
    """True when `user` may see this payer's bills (see payers_of_user)."""
    return payers_of_user(user).filter(pk=payer.pk).exists()


def pending_payer_links() -> QuerySet[PayerLink]:
    """Citizens waiting for a finance officer to confirm a payer link, oldest first."""
    return (
        PayerLink.objects.filter(status=PayerLink.Status.REQUESTED)
        .select_related("payer", "user")
        .order_by("created_at")
    )


def invoices_of_payer(payer: Payer) -> QuerySet[Invoice]:
    return (
        Invoice.objects.filter(payer=payer)
        .exclude(status=InvoiceStatus.CANCELLED)
        .order_by("-issue_date", "-pk")
    )


def receipts_of_payer(payer: Payer) -> QuerySet[Receipt]:
    return Receipt.objects.filter(invoice__payer=payer).select_related("invoice").order_by("-issued_at")


def _require(user, permission: str) -> None:
    if user is None or not user.has_perm(permission):
        raise PermissionDenied("ไม่มีสิทธิ์ดูข้อมูลนี้ (you may not see this)")


def finance_summary(*, user, today: dt.date | None = None) -> dict:
    """Today's and this month's collections, outstanding by fee type and by community, open exceptions."""
    _require(user, "payments.view_finance")
    today = today or timezone.localdate()
    day_start = dt.datetime.combine(today, dt.time.min, tzinfo=BANGKOK)
    month_start = day_start.replace(day=1)
    live_receipts = Receipt.objects.filter(status=ReceiptStatus.ISSUED)
    collected_today = live_receipts.filter(
        issued_at__gte=day_start, issued_at__lt=day_start + dt.timedelta(days=1)
    ).aggregate(s=Coalesce(Sum("amount"), ZERO), n=Count("pk"))
    collected_month = live_receipts.filter(issued_at__gte=month_start).aggregate(
        s=Coalesce(Sum("amount"), ZERO), n=Count("pk")
    )
    open_invoices = Invoice.objects.filter(status=InvoiceStatus.OPEN)
    by_fee = (
        InvoiceLine.objects.filter(invoice__status=InvoiceStatus.OPEN, invoice__paid_amount=0)
        .values("fee_code")
        .annotate(total=Sum("amount"), invoices=Count("invoice", distinct=True))
        .order_by("fee_code")
    )
    by_community = (
        open_invoices.values("community")
        .annotate(total=Sum("total") - Sum("paid_amount"), invoices=Count("pk"))
        .order_by("community")
    )
    return {
        "today": today,
        "collected_today": collected_today["s"],
        "receipts_today": collected_today["n"],
        "collected_month": collected_month["s"],
        "receipts_month": collected_month["n"],
        "outstanding": open_invoices.aggregate(s=Coalesce(Sum("total") - Sum("paid_amount"), ZERO))["s"],
        "outstanding_by_fee": list(by_fee),
        "outstanding_by_community": list(by_community),
        "open_exceptions": PaymentException.objects.filter(status=ExceptionStatus.OPEN).count(),
        # Bank reports not matched within 5 minutes (the sweep retries them every minute): a fault to look at.
        "stuck_transactions": BankTransaction.objects.filter(
            outcome=BankTransaction.Outcome.PENDING, received_at__lt=timezone.now() - dt.timedelta(minutes=5)
        ).count(),
        "payments_without_receipt": Payment.objects.filter(
            receipt__isnull=True, created_at__lt=timezone.now() - dt.timedelta(minutes=5)
        ).count(),
        "recovered": recovered_payments(since=month_start),
    }


def recovered_payments(*, since: dt.datetime) -> dict:
    """Money no callback told us about this month: found by the chase job's inquiries, or first seen in
    a bank statement file — with the chase job's last run."""
    live = Payment.objects.filter(paid_at__gte=since, receipt__status=ReceiptStatus.ISSUED)
    by_inquiry = live.filter(channel=BankTransaction.Channel.INQUIRY).aggregate(
        s=Coalesce(Sum("amount"), ZERO), n=Count("pk")
    )
    by_statement = live.filter(channel=BankTransaction.Channel.STATEMENT).aggregate(
        s=Coalesce(Sum("amount"), ZERO), n=Count("pk")
    )
    return {
        "inquiry_total": by_inquiry["s"],
        "inquiry_count": by_inquiry["n"],
        "statement_total": by_statement["s"],
        "statement_count": by_statement["n"],
        "last_chase": ChaseRun.objects.order_by("-started_at").first(),
        "banks": list(BankConnection.objects.filter(is_active=True)),
    }


def cash_report(*, user, day: dt.date) -> dict:
    """รายงานเงินสดประจำวัน — receipts of one day (cancelled ones listed, not counted) by channel."""
    _require(user, "payments.view_finance")
    start = dt.datetime.combine(day, dt.time.min, tzinfo=BANGKOK)
    receipts = list(
        Receipt.objects.filter(issued_at__gte=start, issued_at__lt=start + dt.timedelta(days=1))
        .select_related("invoice", "payment")
        .order_by("fiscal_year", "sequence")
    )
    live = [r for r in receipts if r.status == ReceiptStatus.ISSUED]
    by_channel: dict[str, Decimal] = {}
    for receipt in live:
        by_channel[receipt.payment.channel] = by_channel.get(receipt.payment.channel, ZERO) + receipt.amount
    return {
        "day": day,
        "receipts": receipts,
        "total": sum((r.amount for r in live), ZERO),
        "count": len(live),
        "cancelled": [r for r in receipts if r.status == ReceiptStatus.CANCELLED],
        "by_channel": by_channel,
    }


def payer_ledger(*, user, payer: Payer) -> list[dict]:
    """Every bill and payment of one payer in date order with a running balance."""
    _require(user, "payments.view_payer")
    entries = []
    for invoice in Invoice.objects.filter(payer=payer).exclude(status=InvoiceStatus.CANCELLED):
        # Carried-forward bills are counted on the newer bill's arrears line, not twice.
        if invoice.status == InvoiceStatus.CARRIED_FORWARD:
            continue
        entries.append(
            {
                "date": invoice.issue_date,
                "kind": "invoice",
                "ref": invoice.number,
                "debit": invoice.total
                - invoice.lines.filter(fee_code="arrears").aggregate(s=Coalesce(Sum("amount"), ZERO))["s"],
                "credit": ZERO,
                "object": invoice,
            }
        )
    for payment in Payment.objects.filter(invoice__payer=payer).select_related("receipt", "invoice"):
        receipt = getattr(payment, "receipt", None)
        if receipt is not None and receipt.status == ReceiptStatus.CANCELLED:
            continue
        entries.append(
            {
                "date": payment.paid_at.astimezone(BANGKOK).date(),
                "kind": "payment",
                "ref": receipt.display_number if receipt else payment.invoice.number,
                "debit": ZERO,
                "credit": payment.amount,
                "object": payment,
            }
        )
    entries.sort(key=lambda e: (e["date"], e["kind"] != "invoice"))
    balance = ZERO
    for entry in entries:
        balance += entry["debit"] - entry["credit"]
        entry["balance"] = balance
    return entries


def search_invoices(
    *, user, query: str = "", status: str = "", bill_run_id: int | None = None
) -> QuerySet[Invoice]:
    """Invoices staff may see, by number, payer name/code or source id; optionally one status or bill run."""
    _require(user, "payments.view_invoice")
    invoices = Invoice.objects.all()
    if bill_run_id:
        invoices = invoices.filter(bill_run_id=bill_run_id)
    if query:
        invoices = invoices.filter(
            Q(number__icontains=query)
            | Q(payer_name__icontains=query)
            | Q(payer__code__iexact=query)
            | Q(source_id__iexact=query)
        )
    if status:
        invoices = invoices.filter(status=status)
    return invoices.order_by("-created_at", "-pk")


def search_payers(*, user, query: str = "", community: str = "") -> QuerySet[Payer]:
    _require(user, "payments.view_payer")
    payers = Payer.objects.all()
    if query:
        payers = payers.filter(
            Q(code__icontains=query) | Q(name__icontains=query) | Q(house_no__icontains=query)
        )
    if community:
        payers = payers.filter(community=community)
    return payers.order_by("code")


def bank_connection(bank: str) -> BankConnection | None:
    """The town's active connection to `bank` (its callback token, its inquiry credentials)."""
    return BankConnection.objects.filter(bank=bank, is_active=True).first()


def address_allowed(connection: BankConnection, address: str) -> bool:
    """Whether a callback from `address` may reach this bank's endpoint (empty list: the proxy decides)."""
    networks = [line.strip() for line in connection.allowed_networks.splitlines() if line.strip()]
    if not networks:
        return True
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for network in networks:
        try:
            if ip in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            continue
    return False
