"""Bank callbacks: each bank's own JSON → one Confirmation, and the reply that bank expects.

- generic: our documented JSON for gateways, signed by the town's secret (HMAC-SHA256 over
  "<timestamp>.<raw body>" in X-Thongthin-Timestamp / X-Thongthin-Signature);
- scb: SCB's QR30 payment confirmation (payeeProxyId, payerName, sendingBankCode, amount,
  transactionId, transactionDateandTime, billPaymentRef1–3, channelCode …), replied with
  {"resCode": "00", "resDesc": "success", "transactionId": …};
- kbank: KBank's QR payment notification (partnerTxnUid, partnerId, statusCode, txnAmount, txnNo,
  merchantId …), replied with {"statusCode": "00", "errorCode": null, "errorDesc": null}.

Every value is checked before anything is stored: a body we cannot read is a ConfirmationError,
answered with a 4xx in the bank's own reply shape — never a 500, never a half-written row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from services.common.buddhist_era import BANGKOK

SIGNATURE_HEADER = "X-Thongthin-Signature"
TIMESTAMP_HEADER = "X-Thongthin-Timestamp"
MAX_BODY_BYTES = 64 * 1024
# Money columns are Decimal(12, 2): anything larger is not a payment we can record.
MAX_AMOUNT = Decimal("9999999999.99")


class ConfirmationError(ValueError):
    """The body is not a confirmation we can read; the message is Thai then English."""


@dataclass(frozen=True)
class Confirmation:
    transaction_id: str
    amount: Decimal
    paid_at: dt.datetime
    ref1: str
    ref2: str = ""
    ref3: str = ""
    biller_id: str = ""
    payer_name: str = ""
    bank_code: str = ""
    # The bank says this transaction was refunded/voided (it may say so before its "paid").
    reversed: bool = False
    raw: dict = field(default_factory=dict)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(
        secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256
    ).hexdigest()
    return f"sha256={digest}"


def verify_signature(
    *, secret: str, timestamp: str, body: bytes, signature: str, now: dt.datetime, window_seconds: int
) -> str:
    """'' when valid, else the reason code (bad_signature, stale_timestamp)."""
    try:
        sent = dt.datetime.fromtimestamp(int(timestamp), tz=dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return "stale_timestamp"
    if abs((now - sent).total_seconds()) > window_seconds:
        return "stale_timestamp"
    if not hmac.compare_digest(sign(secret, timestamp, body), signature or ""):
        return "bad_signature"
    return ""


def load_json(body: bytes) -> dict:
    """JSON with numbers as Decimal: an amount never passes through a float."""
    if len(body) > MAX_BODY_BYTES:
        raise ConfirmationError("ข้อมูลใหญ่เกินไป (body too large)")
    try:
        data = json.loads(body.decode("utf-8"), parse_float=Decimal, parse_int=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ConfirmationError("ข้อมูลไม่ใช่ JSON ที่ถูกต้อง (body is not valid JSON)") from exc
    if not isinstance(data, dict):
        raise ConfirmationError("ข้อมูลต้องเป็น JSON object (body must be a JSON object)")
    return data


def parse_amount(value) -> Decimal:
    """A positive amount in baht with at most two decimals that fits a money column."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ConfirmationError("จำนวนเงินไม่ถูกต้อง (amount must be a number or a string)")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ConfirmationError("จำนวนเงินไม่ถูกต้อง (invalid amount)") from exc
    if not amount.is_finite() or amount <= 0:
        raise ConfirmationError("จำนวนเงินไม่ถูกต้อง (amount must be a positive number)")
    if amount > MAX_AMOUNT:  # before quantize(), which fails on huge exponents
        raise ConfirmationError("จำนวนเงินเกินขนาดที่รับได้ (amount too large)")
    if amount != amount.quantize(Decimal("0.01")):
        raise ConfirmationError("จำนวนเงินไม่ถูกต้อง (amount must have at most 2 decimals)")
    return amount.quantize(Decimal("0.01"))


def parse_moment(value, *, default_tz=BANGKOK) -> dt.datetime:
    """An ISO 8601 moment; a naive one is read in `default_tz` (Thai banks send GMT+7 local time)."""
    if not isinstance(value, str) or "\x00" in value:
        raise ConfirmationError("วันเวลาไม่ถูกต้อง (the payment time must be an ISO 8601 string)")
    try:
        moment = dt.datetime.fromisoformat(value.strip())
        moment = moment if moment.tzinfo else moment.replace(tzinfo=default_tz)
        moment.astimezone(dt.UTC)
    except (ValueError, OverflowError) as exc:
        raise ConfirmationError("วันเวลาไม่ถูกต้อง (the payment time must be ISO 8601)") from exc
    if not dt.datetime(2000, 1, 1, tzinfo=dt.UTC) <= moment <= dt.datetime.now(dt.UTC) + dt.timedelta(days=1):
        raise ConfirmationError("วันเวลาชำระไม่สมเหตุผล (the payment time is out of range)")
    return moment


def text_field(data: dict, key: str, *, required: bool = False, limit: int = 200, cut: bool = False) -> str:
    """A string value; too long is refused (a cut reference could name another bill) unless `cut`."""
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise ConfirmationError(f"ไม่มีข้อมูล {key} ({key} is required)")
        return ""
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = str(int(value))  # an id or bank code sent as a JSON number
    if not isinstance(value, str):
        raise ConfirmationError(f"{key} ต้องเป็นข้อความ ({key} must be a string)")
    if "\x00" in value:
        raise ConfirmationError(f"{key} มีอักขระ NUL (NUL character in {key})")
    value = value.strip()
    if len(value) > limit:
        if not cut:
            raise ConfirmationError(f"{key} ยาวเกิน {limit} ตัวอักษร ({key} longer than {limit})")
        value = value[:limit]
    return value


def plain(data: dict) -> dict:
    """The raw body kept for audit, with Decimals as strings (JSON column)."""
    return json.loads(json.dumps(data, default=str))


class GenericAdapter:
    """Our documented JSON: transaction_id, amount ("150.00"), paid_at (ISO 8601), biller_id, ref1, ref2,
    ref3, payer_name, bank_code, and optionally status ("paid" or "refunded")."""

    code = "generic"

    def parse(self, data: dict) -> Confirmation:
        status = text_field(data, "status", limit=20) or "paid"
        if status not in ("paid", "refunded"):
            raise ConfirmationError("status ต้องเป็น paid หรือ refunded (status must be paid or refunded)")
        return Confirmation(
            transaction_id=text_field(data, "transaction_id", required=True, limit=100),
            amount=parse_amount(data.get("amount")),
            paid_at=parse_moment(data.get("paid_at")),
            ref1=text_field(data, "ref1", limit=20).upper(),
            ref2=text_field(data, "ref2", limit=20).upper(),
            ref3=text_field(data, "ref3", limit=20),
            biller_id=text_field(data, "biller_id", limit=15),
            payer_name=text_field(data, "payer_name", cut=True),
            bank_code=text_field(data, "bank_code", limit=20),
            reversed=status == "refunded",
            raw=plain(data),
        )

    def reply(self, *, outcome: str, transaction_id: str) -> dict:
        return {"status": "accepted", "outcome": outcome, "transaction_id": transaction_id}

    def error_reply(self, *, message: str, transaction_id: str = "") -> dict:
        return {"error": {"code": "invalid", "detail": message}}


class ScbAdapter:
    """SCB QR30 payment confirmation (developer.scb: QR Payment → Payment Confirmation)."""

    code = "scb"

    def parse(self, data: dict) -> Confirmation:
        currency = text_field(data, "currencyCode", limit=3)
        if currency and currency != "764":
            raise ConfirmationError("รับเฉพาะเงินบาท (currencyCode must be 764)")
        return Confirmation(
            transaction_id=text_field(data, "transactionId", required=True, limit=100),
            amount=parse_amount(data.get("amount")),
            # QR30 times are GMT+7 (the doc); QR CS would be GMT, which this town does not use.
            paid_at=parse_moment(data.get("transactionDateandTime")),
            ref1=text_field(data, "billPaymentRef1", limit=20).upper(),
            ref2=text_field(data, "billPaymentRef2", limit=20).upper(),
            ref3=text_field(data, "billPaymentRef3", limit=20),
            # payeeProxyId is the biller ID the payer paid (payeeProxyType BILLERID for QR30).
            biller_id=text_field(data, "payeeProxyId", limit=15),
            payer_name=text_field(data, "payerName", cut=True),
            bank_code=text_field(data, "sendingBankCode", limit=3) or "014",
            raw=plain(data),
        )

    def reply(self, *, outcome: str, transaction_id: str) -> dict:
        # Fixed values per SCB's payment-confirmation page; the transactionId is echoed.
        return {"resCode": "00", "resDesc": "success", "transactionId": transaction_id}

    def error_reply(self, *, message: str, transaction_id: str = "") -> dict:
        # SCB documents only the success reply; a non-"00" code with a 4xx is our assumption.
        return {"resCode": "99", "resDesc": message[:200], "transactionId": transaction_id}


class KBankAdapter:
    """KBank QR payment notification callback (KBank OpenAPI: QR Payment → Payment Notification)."""

    code = "kbank"

    def parse(self, data: dict) -> Confirmation:
        status = text_field(data, "statusCode", required=True, limit=2)
        if status != "00":
            raise ConfirmationError(f"statusCode {status}: ไม่ใช่การชำระสำเร็จ (not a successful payment)")
        currency = text_field(data, "txnCurrencyCode", limit=3)
        if currency and currency != "THB":
            raise ConfirmationError("รับเฉพาะเงินบาท (txnCurrencyCode must be THB)")
        # The notification carries no payment time; KBank sends it right after the payment, so the
        # time it arrives stands in (assumed). partnerTxnUid is the id the QR was requested under:
        # the invoice number (Ref1) — see docs/decisions.md.
        return Confirmation(
            transaction_id=text_field(data, "txnNo", required=True, limit=20),
            amount=parse_amount(data.get("txnAmount")),
            paid_at=dt.datetime.now(dt.UTC),
            ref1=text_field(data, "partnerTxnUid", required=True, limit=15).upper(),
            biller_id="",
            payer_name="",
            bank_code="004",
            raw=plain(data),
        )

    def reply(self, *, outcome: str, transaction_id: str) -> dict:
        return {"statusCode": "00", "errorCode": None, "errorDesc": None}

    def error_reply(self, *, message: str, transaction_id: str = "") -> dict:
        return {"statusCode": "10", "errorCode": "bad_request", "errorDesc": message[:100]}


ADAPTERS = {adapter.code: adapter for adapter in (GenericAdapter(), ScbAdapter(), KBankAdapter())}
