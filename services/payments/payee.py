"""Who is paid: the Thai QR that pays one of the current town's bills, and links to its portal.

A bottom layer: it reads models and settings and imports nothing else of payments, so billing,
statements and actions can all use it without importing each other.
"""

from __future__ import annotations

from decimal import Decimal

from tenants.current import current_town

from . import promptpay
from .models import Invoice, PaymentSettings


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


def refresh_qr(invoice: Invoice) -> None:
    """Point the bill's QR at what is still owed (none once it is no longer payable); the caller saves."""
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
