"""The adapter to the payments service: a fee becomes an invoice there, paid by PromptPay.

Casework never imports payment models. `raise_fee_invoice` calls
`services.payments.actions.raise_invoice` when that interface exists; the payments service then
sends `invoice_paid(invoice, source, source_id)` and our receiver (apps.py) marks the fee paid.
Without the payments service (a town that has not enabled it, or an older build) the fee stays
due and a finance officer records the counter payment (actions.record_fee_paid).
"""

from __future__ import annotations

import logging
from decimal import Decimal

from .models import CaseFee

SOURCE = "casework"
log = logging.getLogger(__name__)


def payments_interface():
    """(raise_invoice, InvoiceLineSpec) from the payments service, or None when it is not there."""
    try:
        from services.payments import actions as payments_actions
    except ImportError:
        return None
    raise_invoice = getattr(payments_actions, "raise_invoice", None)
    line_spec = getattr(payments_actions, "InvoiceLineSpec", None)
    if raise_invoice is None or line_spec is None:
        return None
    return raise_invoice, line_spec


def raise_fee_invoice(fee: CaseFee, *, by=None) -> str:
    """Raise the invoice of one fee (inside the caller's transaction); returns its reference or ""."""
    interface = payments_interface()
    if interface is None or fee.amount <= Decimal("0.00"):
        return ""
    raise_invoice, line_spec = interface
    case = fee.case
    lines = [
        line_spec(
            fee_code=line["fee_code"],
            description=line["description"],
            quantity=Decimal(line["quantity"]),
            unit_price=Decimal(line["unit_price"]),
            rate_version=fee.rate_version,
        )
        for line in fee.lines
    ]
    from .registry import case_type_for

    detail = getattr(case, case_type_for(case.kind).detail_name, None)
    # After a transfer or a change of operator the holder pays, not the original applicant.
    payer_name = getattr(detail, "holder_name", "") or case.applicant_name
    invoice = raise_invoice(
        payer_name=payer_name,
        payer_phone=case.applicant_phone,
        payer_email=case.applicant_email,
        lines=lines,
        source=SOURCE,
        source_id=str(fee.public_id),
        due_date=fee.due_date,
        by=by,
    )
    reference = str(getattr(invoice, "number", "") or invoice.pk)
    fee.invoice_reference = reference[:60]
    fee.payment_url = _invoice_page(invoice)
    fee.save(update_fields=["invoice_reference", "payment_url"])
    return reference


def _invoice_page(invoice) -> str:
    """The payer's bill page (Thai QR) in the payments service, by the invoice's access token."""
    from django.urls import NoReverseMatch, reverse

    token = getattr(invoice, "access_token", None)
    if not token:
        return ""
    try:
        return reverse("payments:invoice", kwargs={"token": token})
    except NoReverseMatch:
        return ""


def invoice_url(fee: CaseFee) -> str | None:
    """Where the payer opens the invoice and its Thai QR, if the payments service made one."""
    return fee.payment_url or None
