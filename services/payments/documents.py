"""Printable documents of Fee payment: the bill with its QR, the official receipt, the daily cash report."""

from __future__ import annotations

from django.urls import reverse

from services.common import signing
from services.common.baht_text import baht_text
from services.common.buddhist_era import format_be_long, format_be_short
from services.common.links import town_url
from tenants.current import current_town

from . import promptpay
from .models import Invoice, PaymentSettings, Receipt
from .pdf import png_data_uri, render_pdf


def invoice_pdf(invoice: Invoice) -> bytes:
    """ใบแจ้งหนี้ — the bill, with the Thai QR for its outstanding amount."""
    qr = png_data_uri(promptpay.qr_png(invoice.qr_payload, box_size=6)) if invoice.qr_payload else ""
    return render_pdf(
        "payments/pdf/invoice.html",
        {
            "town": current_town(),
            "invoice": invoice,
            "lines": list(invoice.lines.all()),
            "qr": qr,
            "issue_date": format_be_long(invoice.issue_date),
            "due_date": format_be_long(invoice.due_date),
            "total_words": baht_text(invoice.outstanding if invoice.is_payable else invoice.total),
            "link": town_url(reverse("payments:invoice", kwargs={"token": invoice.access_token})),
        },
    )


def receipt_pdf(receipt: Receipt) -> bytes:
    """ใบเสร็จรับเงิน — official receipt: town header, book/number, BE date, payer, lines, words, QR;
    signed with the town's certificate (or marked as not signed: the receipt is still issued)."""
    reason = f"ใบเสร็จรับเงิน เล่มที่ {receipt.book_no} เลขที่ {receipt.number_in_book} ({receipt.display_number})"
    outcome = signing.issue_pdf(lambda notice: render_receipt(receipt, signing_notice=notice), reason=reason)
    return outcome.pdf


def render_receipt(receipt: Receipt, *, signing_notice: str = "") -> bytes:
    verify = town_url(reverse("payments:receipt_verify", kwargs={"token": receipt.verification_token}))
    invoice = receipt.invoice
    settings_row = PaymentSettings.current()
    return render_pdf(
        "payments/pdf/receipt.html",
        {
            "signing_notice": signing_notice,
            "town": current_town(),
            "receipt": receipt,
            "invoice": invoice,
            "lines": list(invoice.lines.all()),
            "partial": receipt.amount != invoice.total,
            "issued": format_be_long(receipt.issued_at),
            "amount_words": baht_text(receipt.amount),
            "verify_url": verify,
            "qr": png_data_uri(promptpay.qr_png(verify, box_size=4)),
            "settings": settings_row,
            "payer": invoice.payer,
        },
    )


def cash_report_pdf(report: dict) -> bytes:
    """รายงานเงินสดประจำวัน as PDF."""
    return render_pdf(
        "payments/pdf/cash_report.html",
        {
            **report,
            "town": current_town(),
            "day_text": format_be_long(report["day"]),
            "total_words": baht_text(report["total"]),
            "short": format_be_short,
        },
    )
