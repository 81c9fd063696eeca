"""A local bank for development and tests: it speaks each adapter's contract on a loopback port.

- "pays" a Thai QR (tag 30 bill payment, or a tag 29 transfer) and calls the town back the way the
  bank does (SCB's QR30 confirmation, KBank's notification, or our signed generic JSON) — unless
  callbacks are switched off, the case the chase job exists for;
- answers SCB's OAuth token and bill-payment inquiry, and KBank's OAuth token and QR inquiry;
- serves the day's statement file (BOT 256-character TIS-620) of what it was paid;
- can be told to time out or to answer nonsense.

    python manage.py bank_simulator serve --port 8215        # then POST /_control/pay {...}

Nothing here is used by the application itself: it stands where the banks stand.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from services.common.buddhist_era import BANGKOK

from . import promptpay
from .banks.callbacks import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from .statements import StatementLine, format_bot_file

BANK_CODES = {"scb": "014", "kbank": "004", "generic": "999"}
LOCAL_KEY = "local-key"
LOCAL_SECRET = "local-secret"  # noqa: S105 (the local bank's own test credential)


@dataclass
class Paid:
    """One payment the local bank made on a payer's behalf."""

    bank: str
    transaction_id: str
    biller_id: str
    ref1: str
    ref2: str
    amount: Decimal
    paid_at: dt.datetime
    payer_name: str
    reversed: bool = False


Deliver = Callable[[str, bytes, dict], tuple[int, str]]


def http_deliver(url: str, body: bytes, headers: dict) -> tuple[int, str]:
    """POST a callback over HTTP (the dev server); the Host header picks the town."""
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310 (dev URL)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")
    except OSError as exc:
        return 0, str(exc)


@dataclass
class LocalBank:
    """The bank's state: what it was paid, who holds a token, and how it behaves right now."""

    client_key: str = LOCAL_KEY
    client_secret: str = LOCAL_SECRET
    mode: str = "normal"  # normal | timeout | nonsense | down
    callbacks_enabled: bool = True
    timeout_seconds: float = 15.0
    deliver: Deliver = http_deliver
    payments: list[Paid] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    calls: list[str] = field(default_factory=list)
    callback_log: list[tuple[int, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    # ---- paying --------------------------------------------------------------------------------

    def pay(
        self,
        payload: str,
        *,
        bank: str = "scb",
        amount: Decimal | None = None,
        payer_name: str = "ผู้ทดสอบ ธนาคารจำลอง",
        callback_url: str = "",
        host: str = "",
        hmac_secret: str = "",
        paid_at: dt.datetime | None = None,
    ) -> Paid:
        """Pay what a banking app read from a QR; call the town back unless callbacks are off."""
        parsed = promptpay.parse_payload(payload)
        amount = amount if amount is not None else parsed.amount
        if amount is None:
            raise ValueError("a static QR has no amount: give one")
        paid = Paid(
            bank=bank,
            transaction_id=f"{dt.datetime.now(BANGKOK):%Y%m%d}{uuid.uuid4().hex[:12].upper()}",
            biller_id=parsed.biller_id if parsed.is_bill_payment else parsed.promptpay_id,
            ref1=parsed.ref1 if parsed.is_bill_payment else "",
            ref2=parsed.ref2 if parsed.is_bill_payment else "",
            amount=Decimal(amount).quantize(Decimal("0.01")),
            paid_at=(paid_at or dt.datetime.now(BANGKOK)).astimezone(BANGKOK).replace(microsecond=0),
            payer_name=payer_name,
        )
        with self.lock:
            self.payments.append(paid)
        if self.callbacks_enabled and callback_url:
            self.call_back(paid, url=callback_url, host=host, hmac_secret=hmac_secret)
        return paid

    def refund(self, transaction_id: str) -> Paid:
        with self.lock:
            paid = next(p for p in self.payments if p.transaction_id == transaction_id)
            paid.reversed = True
        return paid

    def callback_body(self, paid: Paid) -> dict:
        """The confirmation in the bank's own shape."""
        if paid.bank == "scb":
            return {
                "payeeProxyId": paid.biller_id,
                "payeeProxyType": "BILLERID",
                "payeeAccountNumber": "0000000000",
                "payeeName": "LOCAL BILLER",
                "payerProxyId": "0812345678",
                "payerProxyType": "MSISDN",
                "payerAccountNumber": "1234567890",
                "payerName": paid.payer_name,
                "sendingBankCode": "014",
                "receivingBankCode": "014",
                "amount": f"{paid.amount:.2f}",
                "channelCode": "PMH",
                "transactionId": paid.transaction_id,
                "transactionDateandTime": paid.paid_at.isoformat(),
                "billPaymentRef1": paid.ref1,
                "billPaymentRef2": paid.ref2,
                "billPaymentRef3": "",
                "currencyCode": "764",
                "transactionType": "Domestic Transfer",
            }
        if paid.bank == "kbank":
            return {
                "partnerTxnUid": paid.ref1,
                "partnerId": "LOCAL01",
                "statusCode": "00",
                "errorCode": None,
                "errorDesc": None,
                "merchantId": "KB000000000001",
                "txnAmount": float(paid.amount),
                "txnCurrencyCode": "THB",
                "txnNo": paid.transaction_id[:20],
            }
        return {
            "transaction_id": paid.transaction_id,
            "amount": f"{paid.amount:.2f}",
            "paid_at": paid.paid_at.isoformat(),
            "biller_id": paid.biller_id,
            "ref1": paid.ref1,
            "ref2": paid.ref2,
            "payer_name": paid.payer_name,
            "bank_code": BANK_CODES["generic"],
            "status": "refunded" if paid.reversed else "paid",
        }

    def call_back(self, paid: Paid, *, url: str, host: str = "", hmac_secret: str = "") -> tuple[int, str]:
        body = json.dumps(self.callback_body(paid), ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        if host:
            headers["Host"] = host
        if paid.bank == "generic" and hmac_secret:
            stamp = str(int(time.time()))
            headers |= {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: sign(hmac_secret, stamp, body)}
        result = self.deliver(url, body, headers)
        self.callback_log.append(result)
        return result

    # ---- answering -----------------------------------------------------------------------------

    def new_token(self) -> str:
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.tokens.add(token)
        return token

    def scb_items(self, *, biller_id: str, ref1: str, ref2: str, day: str) -> list[dict]:
        items = []
        for paid in self.payments:
            if (paid.bank, paid.biller_id, paid.ref1) != ("scb", biller_id, ref1):
                continue
            if ref2 and paid.ref2 != ref2:
                continue
            if paid.paid_at.date().isoformat() != day:
                continue
            item = self.callback_body(paid) | {"eventCode": "00300100", "reverseFlag": "R" if paid.reversed else ""}
            items.append(item)
        return items

    def kbank_answer(self, request: dict) -> dict:
        ref = request.get("origPartnerTxnUid", "")
        paid = next((p for p in self.payments if p.bank == "kbank" and p.ref1 == ref), None)
        answer = {
            "partnerTxnUid": request.get("partnerTxnUid", ""),
            "partnerId": request.get("partnerId", ""),
            "statusCode": "00",
            "errorCode": None,
            "errorDesc": None,
            "merchantId": request.get("merchantId", ""),
            "qrType": "3",
            "txnStatus": "REQUESTED",
        }
        if paid is not None:
            answer |= {
                "txnStatus": "VOIDED" if paid.reversed else "PAID",
                "txnNo": paid.transaction_id[:20],
                "txnAmount": f"{paid.amount:.2f}",
                "txnCurrencyCode": "THB",
                "reference1": paid.ref1,
            }
        return answer

    def statement(self, *, bank: str, biller_id: str, day: dt.date) -> bytes:
        lines = [
            StatementLine(
                line_no=0,
                paid_at=p.paid_at,
                amount=p.amount,
                ref1=p.ref1,
                ref2=p.ref2,
                biller_id=p.biller_id,
                payer_name=p.payer_name,
                bank_code=BANK_CODES.get(p.bank, "999"),
            )
            for p in self.payments
            if p.bank == bank and p.biller_id == biller_id and p.paid_at.date() == day and not p.reversed
        ]
        return format_bot_file(lines, bank_code=BANK_CODES.get(bank, "999"), day=day)

    # ---- serving -------------------------------------------------------------------------------

    def serve(self, port: int = 0, host: str = "127.0.0.1") -> ThreadingHTTPServer:
        """Start answering on `host:port` (0 = any free port) in a daemon thread; returns the server."""
        bank = self

        class Handler(BankRequestHandler):
            state = bank

        server = ThreadingHTTPServer((host, port), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server


class BankRequestHandler(BaseHTTPRequestHandler):
    state: LocalBank
    server_version = "LocalBank/1"

    def log_message(self, format, *args):  # noqa: A002 (BaseHTTPRequestHandler's name)
        return

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(min(length, 1024 * 1024))

    def _send(self, status: int, body, content_type: str = "application/json") -> None:
        data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _misbehave(self) -> bool:
        """The modes a real bank shows on a bad day; True when the request was answered that way."""
        mode = self.state.mode
        if mode == "timeout":
            time.sleep(self.state.timeout_seconds)
            self._send(HTTPStatus.GATEWAY_TIMEOUT, {"error": "timeout"})
            return True
        if mode == "nonsense":
            self._send(HTTPStatus.OK, b"<html>maintenance</html>", "text/html")
            return True
        if mode == "down":
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, {"error": "unavailable"})
            return True
        return False

    def _bearer_ok(self) -> bool:
        value = self.headers.get("authorization", "")
        return value.startswith("Bearer ") and value[7:] in self.state.tokens

    def do_GET(self):
        parts = urlsplit(self.path)
        self.state.calls.append(f"GET {parts.path}")
        if self._misbehave():
            return
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        if parts.path == "/scb/v1/payment/billpayment/inquiry":
            if not self._bearer_ok():
                return self._send(401, {"status": {"code": 9500, "description": "Invalid access token"}})
            items = self.state.scb_items(
                biller_id=query.get("billerId", ""),
                ref1=query.get("reference1", ""),
                ref2=query.get("reference2", ""),
                day=query.get("transactionDate", ""),
            )
            return self._send(200, {"status": {"code": 1000, "description": "Success"}, "data": items})
        if parts.path.startswith("/statements/"):
            if not self._bearer_ok():
                return self._send(401, {"error": "unauthorized"})
            try:
                _empty, _root, bank, biller_id, name = parts.path.split("/")
                day = dt.date.fromisoformat(name.removesuffix(".txt"))
            except ValueError:
                return self._send(404, {"error": "not found"})
            return self._send(200, self.state.statement(bank=bank, biller_id=biller_id, day=day), "text/plain")
        return self._send(404, {"error": "not found"})

    def do_POST(self):
        parts = urlsplit(self.path)
        self.state.calls.append(f"POST {parts.path}")
        body = self._body()
        if parts.path.startswith("/_control/"):
            return self._control(parts.path, body)
        if self._misbehave():
            return
        if parts.path == "/scb/v1/oauth/token":
            request = json.loads(body or b"{}")
            if (request.get("applicationKey"), request.get("applicationSecret")) != (
                self.state.client_key,
                self.state.client_secret,
            ):
                return self._send(401, {"status": {"code": 9300, "description": "Invalid credentials"}})
            token = self.state.new_token()
            return self._send(
                200,
                {
                    "status": {"code": 1000, "description": "Success"},
                    "data": {"accessToken": token, "tokenType": "Bearer", "expiresIn": 1800},
                },
            )
        if parts.path == "/kbank/v2/oauth/token":
            expected = base64.b64encode(f"{self.state.client_key}:{self.state.client_secret}".encode()).decode()
            if self.headers.get("authorization", "") != f"Basic {expected}":
                return self._send(401, {"error": "invalid_client", "error_description": "bad credentials"})
            token = self.state.new_token()
            return self._send(200, {"access_token": token, "token_type": "Bearer", "expires_in": 1799})
        if parts.path == "/kbank/v1/qrpayment/v4/inquiry":
            if not self._bearer_ok():
                return self._send(401, {"statusCode": "10", "errorCode": "authentication_error"})
            return self._send(200, self.state.kbank_answer(json.loads(body or b"{}")))
        return self._send(404, {"error": "not found"})

    def _control(self, path: str, body: bytes) -> None:
        request = json.loads(body or b"{}")
        if path == "/_control/mode":
            self.state.mode = request.get("mode", self.state.mode)
            self.state.callbacks_enabled = bool(request.get("callbacks", self.state.callbacks_enabled))
            return self._send(200, {"mode": self.state.mode, "callbacks": self.state.callbacks_enabled})
        if path == "/_control/pay":
            try:
                paid = self.state.pay(
                    request["payload"],
                    bank=request.get("bank", "scb"),
                    amount=Decimal(request["amount"]) if request.get("amount") else None,
                    callback_url=request.get("callback_url", ""),
                    host=request.get("host", ""),
                    hmac_secret=request.get("hmac_secret", ""),
                )
            except (KeyError, ValueError, promptpay.PayloadError) as exc:
                return self._send(400, {"error": str(exc)})
            return self._send(
                200,
                {"transaction_id": paid.transaction_id, "callbacks": self.state.callbacks_enabled,
                 "callback_results": self.state.callback_log[-1:]},
            )
        return self._send(404, {"error": "not found"})
