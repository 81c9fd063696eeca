"""Thai QR Payment payloads (EMVCo merchant-presented mode with the Bank of Thailand supplement).

Two kinds, both built here and nowhere else:
- bill payment (tag 30): biller ID (the town's 13-digit tax ID + 2-digit suffix) with Ref1/Ref2 that
  identify the bill, so the bank's confirmation names the bill and reconciliation is automatic;
- credit transfer (tag 29): a PromptPay ID (mobile, tax ID, e-wallet) for towns without a biller
  agreement; the confirmation then carries no reference.

The PyPI `promptpay` packages only build tag 29 and take floats, so the encoder is written once here
and pinned by tests to the worked examples in the domain notes. Limits come from the SCB API and the
BOT spec: references ≤ 20 characters of A–Z and 0–9, biller ID exactly 15 digits, amount with two
decimals (≤ 13 characters), CRC-16/CCITT-FALSE over the payload including the literal "6304".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

AID_CREDIT_TRANSFER = "A000000677010111"
AID_BILL_PAYMENT = "A000000677010112"
CURRENCY_THB = "764"
COUNTRY_TH = "TH"

REFERENCE_PATTERN = re.compile(r"^[A-Z0-9]{1,20}$")
BILLER_ID_PATTERN = re.compile(r"^\d{15}$")
MAX_AMOUNT = Decimal("9999999999.99")  # 13 characters with the point: the tag-54 limit


class PayloadError(ValueError):
    """A value that cannot go into a Thai QR payload; the message is Thai then English."""


def _crc_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
        table.append(crc)
    return tuple(table)


_CRC_TABLE = _crc_table()


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, no final xor (check 0x29B1).

    Table-driven (a bill run computes one per bill)."""
    crc = 0xFFFF
    for byte in data:
        crc = ((crc << 8) & 0xFFFF) ^ _CRC_TABLE[(crc >> 8) ^ byte]
    return crc


def tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise PayloadError(f"ข้อมูลแท็ก {tag} ยาวเกิน 99 ตัวอักษร (tag {tag} value longer than 99)")
    return f"{tag}{len(value):02d}{value}"


def format_amount(amount: Decimal | str | int) -> str:
    """Amount as tag 54 wants it: two decimals, positive, at most 13 characters; never a float."""
    if isinstance(amount, float):
        raise PayloadError("จำนวนเงินต้องเป็น Decimal ไม่ใช่ float (amount must be Decimal, not float)")
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError) as exc:
        raise PayloadError("จำนวนเงินไม่ถูกต้อง (invalid amount)") from exc
    if not value.is_finite() or value != value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP):
        raise PayloadError("จำนวนเงินต้องมีทศนิยมไม่เกิน 2 ตำแหน่ง (amount must have at most 2 decimals)")
    if value <= 0:
        raise PayloadError("จำนวนเงินต้องมากกว่าศูนย์ (amount must be greater than zero)")
    if value > MAX_AMOUNT:
        raise PayloadError("จำนวนเงินเกินกว่าที่ QR รองรับ (amount too large for a QR payload)")
    return f"{value:.2f}"


def validate_reference(value: str, *, name: str) -> str:
    if not REFERENCE_PATTERN.match(value or ""):
        raise PayloadError(
            f"{name} ต้องเป็นอักษรอังกฤษตัวใหญ่หรือตัวเลข 1–20 ตัว ({name} must be 1–20 characters of A–Z and 0–9)"
        )
    return value


def _finish(body: str) -> str:
    with_tag = body + "6304"
    return with_tag + f"{crc16_ccitt_false(with_tag.encode('ascii')):04X}"


def bill_payment_payload(*, biller_id: str, ref1: str, ref2: str = "", amount: Decimal | None = None) -> str:
    """Tag-30 payload: dynamic (01=12) with an amount, static (01=11) without."""
    if not BILLER_ID_PATTERN.match(biller_id or ""):
        raise PayloadError("รหัสผู้รับชำระต้องเป็นตัวเลข 15 หลัก (biller ID must be 15 digits)")
    merchant = (
        tlv("00", AID_BILL_PAYMENT) + tlv("01", biller_id) + tlv("02", validate_reference(ref1, name="Ref1"))
    )
    if ref2:
        merchant += tlv("03", validate_reference(ref2, name="Ref2"))
    body = tlv("00", "01") + tlv("01", "12" if amount is not None else "11") + tlv("30", merchant)
    body += tlv("53", CURRENCY_THB)
    if amount is not None:
        body += tlv("54", format_amount(amount))
    body += tlv("58", COUNTRY_TH)
    return _finish(body)


def _promptpay_target(promptpay_id: str) -> tuple[str, str]:
    """(sub-tag, value) of a PromptPay ID: 10-digit mobile, 13-digit tax/national ID or 15-digit e-wallet."""
    digits = re.sub(r"[\s-]", "", promptpay_id or "")
    if not digits.isdigit():
        raise PayloadError("พร้อมเพย์ต้องเป็นตัวเลข (PromptPay ID must be digits)")
    if len(digits) == 10 and digits.startswith("0"):
        return "01", "0066" + digits[1:]
    if len(digits) == 13:
        return "02", digits
    if len(digits) == 15:
        return "03", digits
    raise PayloadError(
        "พร้อมเพย์ต้องเป็นเบอร์มือถือ 10 หลัก เลขประจำตัว 13 หลัก หรือ e-Wallet 15 หลัก "
        "(PromptPay ID must be a 10-digit mobile, 13-digit ID or 15-digit e-wallet)"
    )


def same_promptpay_id(first: str, second: str) -> bool:
    """Whether two spellings name one PromptPay ID (081-234-5678, 0812345678 and 0066812345678 do)."""

    def norm(value: str) -> str:
        digits = re.sub(r"[\s-]", "", value or "")
        return "0" + digits[4:] if len(digits) == 13 and digits.startswith("0066") else digits

    return bool(norm(first)) and norm(first) == norm(second)


def credit_transfer_payload(*, promptpay_id: str, amount: Decimal | None = None) -> str:
    """Tag-29 payload to a PromptPay ID, in the field order the common libraries use (58 before 53)."""
    sub_tag, value = _promptpay_target(promptpay_id)
    merchant = tlv("00", AID_CREDIT_TRANSFER) + tlv(sub_tag, value)
    body = tlv("00", "01") + tlv("01", "12" if amount is not None else "11") + tlv("29", merchant)
    body += tlv("58", COUNTRY_TH) + tlv("53", CURRENCY_THB)
    if amount is not None:
        body += tlv("54", format_amount(amount))
    return _finish(body)


@dataclass(frozen=True)
class ParsedPayload:
    """What a payload says, read back (the bank simulator and tests use it)."""

    initiation: str
    biller_id: str
    ref1: str
    ref2: str
    promptpay_id: str
    amount: Decimal | None
    fields: dict[str, str]

    @property
    def is_bill_payment(self) -> bool:
        return bool(self.biller_id)


def _split(data: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    position = 0
    while position < len(data):
        if position + 4 > len(data):
            raise PayloadError("รูปแบบ QR ไม่ถูกต้อง (truncated TLV)")
        tag, length = data[position : position + 2], data[position + 2 : position + 4]
        if not length.isdigit():
            raise PayloadError("รูปแบบ QR ไม่ถูกต้อง (bad TLV length)")
        end = position + 4 + int(length)
        if end > len(data):
            raise PayloadError("รูปแบบ QR ไม่ถูกต้อง (TLV runs past the end)")
        fields[tag] = data[position + 4 : end]
        position = end
    return fields


def parse_payload(payload: str) -> ParsedPayload:
    """Check the CRC and read the fields of a Thai QR payload."""
    if len(payload) < 8 or payload[-8:-4] != "6304":
        raise PayloadError("QR ไม่มีรหัสตรวจสอบ (no CRC field)")
    expected = f"{crc16_ccitt_false(payload[:-4].encode('ascii')):04X}"
    if payload[-4:].upper() != expected:
        raise PayloadError("รหัสตรวจสอบ QR ไม่ถูกต้อง (CRC mismatch)")
    fields = _split(payload)
    if fields.get("00") != "01":
        raise PayloadError("QR ไม่ใช่รูปแบบ EMVCo (payload format must be 01)")
    bill = _split(fields["30"]) if "30" in fields else {}
    transfer = _split(fields["29"]) if "29" in fields else {}
    if bill and bill.get("00") != AID_BILL_PAYMENT:
        raise PayloadError("QR ชำระบิลมี AID ไม่ถูกต้อง (wrong bill-payment AID)")
    promptpay_id = next((transfer[k] for k in ("01", "02", "03") if k in transfer), "")
    amount = Decimal(fields["54"]) if "54" in fields else None
    return ParsedPayload(
        initiation=fields.get("01", ""),
        biller_id=bill.get("01", ""),
        ref1=bill.get("02", ""),
        ref2=bill.get("03", ""),
        promptpay_id=promptpay_id,
        amount=amount,
        fields=fields,
    )


def qr_png(payload: str, *, box_size: int = 8) -> bytes:
    """The payload as a PNG QR image (error correction M, quiet zone 4 modules)."""
    import io

    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=4)
    code.add_data(payload)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()


def qr_svg(payload: str) -> str:
    """The payload as inline SVG (for HTML pages and PDFs; sharp at any print size)."""
    import io

    import qrcode
    import qrcode.image.svg
    from qrcode.constants import ERROR_CORRECT_M

    image = qrcode.make(
        payload,
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=ERROR_CORRECT_M,
        box_size=10,
        border=4,
    )
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode("utf-8")
