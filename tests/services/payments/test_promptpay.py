"""Thai QR payloads against the worked examples in the domain notes, limits, and a real QR decoder."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
import zxingcpp
from PIL import Image

from services.payments import promptpay


def test_crc_check_value_is_ccitt_false():
    assert promptpay.crc16_ccitt_false(b"123456789") == 0x29B1


def test_bill_payment_worked_example_with_amount():
    assert promptpay.bill_payment_payload(
        biller_id="099400015804101", ref1="BSR2569000123", ref2="256911", amount=Decimal("150.00")
    ) == (
        "00020101021230660016A00000067701011201150994000158041010213BSR2569000123030625691153037645406150.00"
        "5802TH63042CAD"
    )


def test_static_bill_payment_has_no_amount_and_initiation_11():
    assert promptpay.bill_payment_payload(biller_id="099400015804101", ref1="BSR2569000123") == (
        "00020101021130560016A00000067701011201150994000158041010213BSR256900012353037645802TH63049F34"
    )


def test_tenant_example_from_domain_sources():
    assert promptpay.bill_payment_payload(
        biller_id="099400012345101", ref1="GB2568100001", ref2="0420250", amount=Decimal("40.00")
    ).endswith("5802TH63044537")


def test_credit_transfer_worked_example_matches_public_libraries():
    assert promptpay.credit_transfer_payload(promptpay_id="081-234-5678", amount=Decimal("100.00")) == (
        "00020101021229370016A000000677010111011300668123456785802TH53037645406100.006304BB8A"
    )


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("0801234567", "00020101021129370016A000000677010111011300668012345675802TH530376463046197"),
        ("0123456789012", "00020101021129370016A000000677010111021301234567890125802TH530376463040CBD"),
    ],
)
def test_credit_transfer_static_vectors(target, expected):
    assert promptpay.credit_transfer_payload(promptpay_id=target) == expected


@pytest.mark.parametrize("ref1", ["", "bsr1", "BSR-1", "A" * 21, "บิล1"])
def test_reference_must_be_1_to_20_capitals_or_digits(ref1):
    with pytest.raises(promptpay.PayloadError):
        promptpay.bill_payment_payload(biller_id="099400015804101", ref1=ref1, amount=Decimal("1.00"))


@pytest.mark.parametrize(
    "amount", [Decimal("0"), Decimal("-1.00"), Decimal("1.005"), Decimal("10000000000.00"), 1.5, "abc"]
)
def test_amount_limits(amount):
    with pytest.raises(promptpay.PayloadError):
        promptpay.format_amount(amount)


@pytest.mark.parametrize("biller_id", ["09940001580410", "0994000158041011", "09940001580410A"])
def test_biller_id_must_be_15_digits(biller_id):
    with pytest.raises(promptpay.PayloadError):
        promptpay.bill_payment_payload(biller_id=biller_id, ref1="A1")


def test_parse_rejects_a_tampered_payload():
    payload = promptpay.bill_payment_payload(biller_id="099400015804101", ref1="A1", amount=Decimal("150.00"))
    with pytest.raises(promptpay.PayloadError):
        promptpay.parse_payload(payload.replace("150.00", "100.00"))
    parsed = promptpay.parse_payload(payload)
    assert (parsed.biller_id, parsed.ref1, parsed.amount) == ("099400015804101", "A1", Decimal("150.00"))


def test_qr_image_decodes_back_to_the_exact_payload():
    payload = promptpay.bill_payment_payload(
        biller_id="099400015804101", ref1="BSR2569000123", ref2="256911", amount=Decimal("150.00")
    )
    image = Image.open(io.BytesIO(promptpay.qr_png(payload)))
    results = zxingcpp.read_barcodes(image)
    assert [r.text for r in results] == [payload]
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode
