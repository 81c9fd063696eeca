"""Bank confirmation adapters: each bank's callback JSON → one Confirmation, and the reply it expects.

Every callback is signed by the town's secret (HMAC-SHA256 over "<timestamp>.<raw body>", sent in
X-Thongthin-Timestamp / X-Thongthin-Signature) by our gateway or the bank's relay; the signature and
the timestamp window are checked before any adapter sees the body. Field names of SCB follow its
published QR30 payment-confirmation fields; its exact reply JSON is unverified (see the README).
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
    try:
        data = json.loads(body.decode("utf-8"), parse_float=Decimal, parse_int=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfirmationError("ข้อมูลไม่ใช่ JSON ที่ถูกต้อง (body is not valid JSON)") from exc
    if not isinstance(data, dict):
        raise ConfirmationError("ข้อมูลต้องเป็น JSON object (body must be a JSON object)")
    return data


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError) as exc:
        raise ConfirmationError("จำนวนเงินไม่ถูกต้อง (invalid amount)") from exc
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise ConfirmationError("จำนวนเงินไม่ถูกต้อง (amount must be positive with at most 2 decimals)")
    return amount.quantize(Decimal("0.01"))


def _datetime(value) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise ConfirmationError("วันเวลาไม่ถูกต้อง (paid_at must be ISO 8601)") from exc
    # Thai banks send GMT+7 local time; a naive value is read as Bangkok time.
    return moment if moment.tzinfo else moment.replace(tzinfo=BANGKOK)


def _text(data: dict, key: str, *, required: bool = False, limit: int = 200) -> str:
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise ConfirmationError(f"ไม่มีข้อมูล {key} ({key} is required)")
        return ""
    return str(value).strip()[:limit]


class GenericAdapter:
    """Our documented JSON: transaction_id, amount ("150.00"), paid_at (ISO 8601), biller_id, ref1, ref2,
    ref3,
    payer_name, bank_code."""

    code = "generic"

    def parse(self, data: dict) -> Confirmation:
        return Confirmation(
            transaction_id=_text(data, "transaction_id", required=True, limit=100),
            amount=_amount(data.get("amount")),
            paid_at=_datetime(data.get("paid_at")),
            ref1=_text(data, "ref1", required=True, limit=20),
            ref2=_text(data, "ref2", limit=20),
            ref3=_text(data, "ref3", limit=20),
            biller_id=_text(data, "biller_id", limit=15),
            payer_name=_text(data, "payer_name"),
            bank_code=_text(data, "bank_code", limit=20),
            raw=_plain(data),
        )

    def reply(self, *, outcome: str, transaction_id: str) -> dict:
        return {"status": "accepted", "outcome": outcome, "transaction_id": transaction_id}


class ScbAdapter:
    """SCB QR30 payment confirmation (transactionId, amount, transactionDateandTime, billPaymentRef1–3,
    payerName,
    sendingBankCode)."""

    code = "scb"

    def parse(self, data: dict) -> Confirmation:
        return Confirmation(
            transaction_id=_text(data, "transactionId", required=True, limit=100),
            amount=_amount(data.get("amount")),
            paid_at=_datetime(data.get("transactionDateandTime")),
            ref1=_text(data, "billPaymentRef1", required=True, limit=20),
            ref2=_text(data, "billPaymentRef2", limit=20),
            ref3=_text(data, "billPaymentRef3", limit=20),
            biller_id=_text(data, "merchantId", limit=15),
            payer_name=_text(data, "payerName"),
            bank_code=_text(data, "sendingBankCode", limit=20) or "014",
            raw=_plain(data),
        )

    def reply(self, *, outcome: str, transaction_id: str) -> dict:
        return {"resCode": "00", "resDesc": "success", "transactionId": transaction_id}


def _plain(data: dict) -> dict:
    """The raw body kept for audit, with Decimals as strings (JSON column)."""
    return json.loads(json.dumps(data, default=str))


ADAPTERS = {adapter.code: adapter for adapter in (GenericAdapter(), ScbAdapter())}
