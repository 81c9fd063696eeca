"""Official receipts: the PDF's Thai text, gapless numbers, cancellation with a reason."""

from __future__ import annotations

import io
import unicodedata
from decimal import Decimal

import pytest
import zxingcpp
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from pypdf import PdfReader

from services.common.numbering import peek_last_number
from services.payments import actions, documents
from services.payments.models import Receipt
from services.payments.official_numbers import RECEIPT_SERIES
from tests.factories import make_user

from .conftest import make_invoice

pytestmark = pytest.mark.django_db


def pay_at_counter(invoice, officer):
    return actions.record_counter_payment(invoice_id=invoice.pk, amount=invoice.outstanding, by=officer)


@pytest.fixture
def officer(in_town_a):
    return make_user(roles=("finance_officer",))


def pdf_text(data: bytes) -> str:
    """The PDF's text in NFKD form (SARA AM is drawn and copied out as NIKHAHIT + SARA AA)."""
    return unicodedata.normalize(
        "NFKD", "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    )


def nfkd(text: str) -> str:
    return unicodedata.normalize("NFKD", text)


def test_receipt_pdf_has_thai_words_be_date_number_and_a_verification_qr(in_town_a, officer):
    invoice = make_invoice(amount="1250.50", payer_name="นางสาวสมใจ ใจดี")
    receipt = pay_at_counter(invoice, officer)
    data = documents.receipt_pdf(receipt)
    text = pdf_text(data)
    assert "ใบเสร็จรับเงิน" in text
    assert nfkd(in_town_a.name_th) in text
    assert nfkd("เลขประจำตัวผู้เสียภาษี") in text
    assert "หนึ่งพันสองร้อยห้าสิบบาทห้าสิบสตางค์" in text
    assert "นางสาวสมใจ ใจดี" in text
    assert f"เลขที่ {receipt.number_in_book}" in text
    assert receipt.display_number in text
    assert str(receipt.issued_at.year + 543) in text
    assert "1,250.50" in text
    # The verification QR on the receipt reads back to this receipt's public page.
    import pypdf
    from PIL import Image

    images = [img for page in pypdf.PdfReader(io.BytesIO(data)).pages for img in page.images]
    decoded = [r.text for img in images for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(img.data)))]
    assert any(str(receipt.verification_token) in value for value in decoded)


def test_receipt_numbers_are_consecutive_and_books_roll_over(in_town_a, officer):
    from services.payments.models import PaymentSettings

    row = PaymentSettings.current()
    row.receipt_book_size = 2
    row.save()
    receipts = [pay_at_counter(make_invoice(), officer) for _ in range(3)]
    sequences = [r.sequence for r in receipts]
    assert sequences == list(range(sequences[0], sequences[0] + 3))
    assert peek_last_number(RECEIPT_SERIES, receipts[0].fiscal_year) == sequences[-1]
    assert [(r.book_no, r.number_in_book) for r in receipts] == [
        ((s - 1) // 2 + 1, (s - 1) % 2 + 1) for s in sequences
    ]


def test_cancelling_needs_a_reason_keeps_the_number_and_reopens_the_bill(in_town_a, officer):
    invoice = make_invoice()
    receipt = pay_at_counter(invoice, officer)
    with pytest.raises(ValidationError):
        actions.cancel_receipt(receipt_id=receipt.pk, by=officer, reason=" ")
    actions.cancel_receipt(receipt_id=receipt.pk, by=officer, reason="รับเงินผิดรายการ")
    receipt.refresh_from_db()
    invoice.refresh_from_db()
    assert receipt.status == "cancelled"
    assert receipt.sequence
    assert receipt.cancel_reason == "รับเงินผิดรายการ"
    assert invoice.status == "open"
    assert invoice.paid_amount == 0
    assert invoice.qr_payload
    assert "ยกเลิก" in pdf_text(documents.receipt_pdf(receipt))
    next_receipt = pay_at_counter(invoice, officer)
    assert next_receipt.sequence == receipt.sequence + 1
    from auditlog.models import LogEntry

    assert LogEntry.objects.get_for_object(receipt).filter(changes__icontains="cancelled").exists()


def test_only_finance_staff_may_cancel_or_take_payments(in_town_a, officer):
    invoice = make_invoice()
    clerk = make_user(roles=("saraban_clerk",))
    with pytest.raises(PermissionDenied):
        pay_at_counter(invoice, clerk)
    receipt = pay_at_counter(invoice, officer)
    with pytest.raises(PermissionDenied):
        actions.cancel_receipt(receipt_id=receipt.pk, by=clerk, reason="x")


def test_public_verification_page_says_valid_or_cancelled(in_town_a, officer, client_a, client_b):
    receipt = pay_at_counter(make_invoice(), officer)
    connection.set_schema_to_public()
    page = client_a.get(f"/payments/receipt/{receipt.verification_token}/")
    assert page.status_code == 200
    assert "ยังมีผลอยู่" in page.content.decode()
    assert client_b.get(f"/payments/receipt/{receipt.verification_token}/").status_code == 404
    pdf = client_a.get(f"/payments/receipt/{receipt.verification_token}/receipt.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"


def test_invoice_pdf_carries_the_qr_payload(in_town_a):
    from PIL import Image

    invoice = make_invoice(amount="40.00")
    data = documents.invoice_pdf(invoice)
    assert "สี่สิบบาทถ้วน" in pdf_text(data)
    images = [img for page in PdfReader(io.BytesIO(data)).pages for img in page.images]
    decoded = [r.text for img in images for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(img.data)))]
    assert decoded == [invoice.qr_payload]


def test_receipt_amount_is_decimal_end_to_end(in_town_a, officer):
    receipt = pay_at_counter(make_invoice(amount="0.25"), officer)
    assert isinstance(Receipt.objects.get(pk=receipt.pk).amount, Decimal)
