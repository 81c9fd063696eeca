"""Asking a bank about a bill: SCB's and KBank's inquiry APIs (each with its OAuth token), and the
day's statement file over HTTPS.

Each answer is read with the same checks as that bank's callback (callbacks.py), so a payment found
by inquiry is the same Confirmation — same transaction id, same key — as the callback that was lost.
Anything else (a timeout, an HTTP error, a body that is not what the bank documents) is an
InquiryError: the chase job backs off and asks again later; nothing is written.
"""

from __future__ import annotations

import abc
import base64
import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable
from decimal import Decimal
from urllib.parse import urlsplit

import requests
from django.core.cache import cache
from django.utils import timezone

from services.common.buddhist_era import BANGKOK

from .callbacks import Confirmation, ConfirmationError, KBankAdapter, ScbAdapter

TIMEOUT_SECONDS = 10
MAX_STATEMENT_BYTES = 40 * 1024 * 1024
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
# SCB's documented sandbox; production is https://api.partners.scb/partners/ (set per town).
SCB_SANDBOX = "https://api-sandbox.partners.scb/partners/sandbox"
KBANK_SANDBOX = "https://openapi-sandbox.kasikornbank.com"
CODE_SUCCESS = 1000  # SCB's status.code for success


class InquiryError(Exception):
    """The bank could not be asked or did not answer as documented; `reason` is a short code."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason, self.detail = reason, detail
        super().__init__(f"{reason}: {detail}" if detail else reason)


def check_url(url: str) -> str:
    """Bank calls go over HTTPS; plain HTTP only to a loopback address (the local bank in tests)."""
    parts = urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS):
        return url
    raise InquiryError("bad_url", "bank URLs must be https")


class BankClient(abc.ABC):
    """What both banks share: one requests session, timeouts, client certificate, token cache."""

    bank = ""
    default_base = ""

    def __init__(self, connection, *, session: requests.Session | None = None, timeout: float | None = None):
        self.connection = connection
        self.base = check_url((connection.api_base_url or self.default_base).rstrip("/"))
        self.session = session or requests.Session()
        self.timeout = timeout if timeout is not None else TIMEOUT_SECONDS
        if connection.client_cert_path and connection.client_key_path:
            self.session.cert = (connection.client_cert_path, connection.client_key_path)

    def _call(self, method: str, url: str, **kwargs) -> requests.Response:
        try:
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.Timeout as exc:
            raise InquiryError("timeout", url) from exc
        except requests.RequestException as exc:
            raise InquiryError("unreachable", type(exc).__name__) from exc
        return response

    def _json(self, response: requests.Response) -> dict:
        if response.status_code >= 500:
            raise InquiryError("bank_error", f"HTTP {response.status_code}")
        try:
            data = response.json(parse_float=Decimal, parse_int=Decimal)
        except ValueError as exc:
            raise InquiryError("nonsense", "the answer is not JSON") from exc
        if not isinstance(data, dict):
            raise InquiryError("nonsense", "the answer is not a JSON object")
        return data

    def _token_cache_key(self) -> str:
        # The cache's key function adds the town's schema; the key id keeps two apps apart.
        digest = hashlib.sha256(f"{self.base}|{self.connection.api_key}".encode()).hexdigest()[:16]
        return f"payments:bank-token:{self.bank}:{digest}"

    def token(self) -> str:
        cached = cache.get(self._token_cache_key())
        if cached:
            return cached
        token, lifetime = self._new_token()
        # Renew a minute early so a call never carries a token that expires in flight.
        cache.set(self._token_cache_key(), token, timeout=max(int(lifetime) - 60, 30))
        return token

    @abc.abstractmethod
    def _new_token(self) -> tuple[str, int]:
        """A fresh access token from the bank and its lifetime in seconds."""

    @abc.abstractmethod
    def find_payments(self, *, biller_id: str, ref1: str, ref2: str, dates: Iterable[dt.date]) -> list[Confirmation]:
        """The bank's own record of payments to one bill's references on the given days."""

    def statement_file(self, *, url_template: str, day: dt.date, biller_id: str) -> bytes:
        """The bank's statement file of `day` (assumed: the bank's bearer token authorises it)."""
        url = check_url(url_template.format(date=day.strftime("%Y%m%d"), biller=biller_id))
        response = self._call(
            "GET", url, headers={"authorization": f"Bearer {self.token()}"}, stream=True
        )
        if response.status_code == 404:
            raise InquiryError("not_ready", f"no statement for {day.isoformat()} yet")
        if response.status_code != 200:
            raise InquiryError("bank_error", f"HTTP {response.status_code}")
        data = bytearray()
        for chunk in response.iter_content(64 * 1024):
            data.extend(chunk)
            if len(data) > MAX_STATEMENT_BYTES:
                raise InquiryError("too_large", "statement file over 40 MB")
        return bytes(data)


class ScbClient(BankClient):
    """SCB Open API: POST /v1/oauth/token (client credentials), GET /v1/payment/billpayment/inquiry."""

    bank = "scb"
    default_base = SCB_SANDBOX

    def _headers(self) -> dict:
        return {
            "content-type": "application/json",
            "accept-language": "EN",
            "resourceOwnerId": self.connection.api_key,
            "requestUId": uuid.uuid4().hex,
        }

    def _new_token(self) -> tuple[str, int]:
        response = self._call(
            "POST",
            f"{self.base}/v1/oauth/token",
            headers=self._headers(),
            json={"applicationKey": self.connection.api_key, "applicationSecret": self.connection.api_secret},
        )
        data = self._json(response)
        status = data.get("status") if isinstance(data.get("status"), dict) else {}
        body = data.get("data") if isinstance(data.get("data"), dict) else {}
        token = body.get("accessToken")
        if response.status_code != 200 or status.get("code") != CODE_SUCCESS or not isinstance(token, str) or not token:
            raise InquiryError("auth_failed", str(status.get("description", response.status_code))[:200])
        lifetime = body.get("expiresIn")
        return token, int(lifetime) if isinstance(lifetime, int | float) or str(lifetime).isdigit() else 1800

    def find_payments(self, *, biller_id: str, ref1: str, ref2: str, dates: Iterable[dt.date]) -> list[Confirmation]:
        """The QR30 payments of a bill on the given (Bangkok) days; empty when none was made."""
        found = []
        for day in dates:
            params = {
                "eventCode": "00300100",  # Thai QR Code Tag 30 (C Scan B)
                "transactionDate": day.isoformat(),
                "billerId": biller_id,
                "reference1": ref1,
            }
            if ref2:
                params["reference2"] = ref2
            response = self._call(
                "GET",
                f"{self.base}/v1/payment/billpayment/inquiry",
                params=params,
                headers={**self._headers(), "authorization": f"Bearer {self.token()}"},
            )
            if response.status_code == 401:
                cache.delete(self._token_cache_key())
                raise InquiryError("auth_failed", "token refused")
            data = self._json(response)
            status = data.get("status") if isinstance(data.get("status"), dict) else {}
            if status.get("code") != CODE_SUCCESS:
                raise InquiryError("bank_error", f"status {status.get('code')}: {status.get('description', '')}"[:200])
            items = data.get("data")
            if items is None:
                items = []
            if not isinstance(items, list):
                raise InquiryError("nonsense", "data is not a list")
            for item in items:
                if not isinstance(item, dict):
                    raise InquiryError("nonsense", "a transaction is not an object")
                try:
                    confirmation = ScbAdapter().parse(item)
                except ConfirmationError as exc:
                    raise InquiryError("nonsense", str(exc)) from exc
                # reverseFlag "R": the transaction was refunded (SCB's inquiry response).
                if item.get("reverseFlag") == "R":
                    confirmation = _reversed(confirmation)
                found.append(confirmation)
        return found


class KBankClient(BankClient):
    """KBank OpenAPI: POST /v2/oauth/token (client credentials, Basic), POST /v1/qrpayment/v4/inquiry;
    the partner secret goes in the body and the connection uses the partner's client certificate."""

    bank = "kbank"
    default_base = KBANK_SANDBOX

    def _new_token(self) -> tuple[str, int]:
        basic = base64.b64encode(f"{self.connection.api_key}:{self.connection.api_secret}".encode()).decode()
        response = self._call(
            "POST",
            f"{self.base}/v2/oauth/token",
            headers={"authorization": f"Basic {basic}", "content-type": "application/x-www-form-urlencoded"},
            data={"grant_type": "client_credentials"},
        )
        data = self._json(response)
        token = data.get("access_token")
        if response.status_code != 200 or not isinstance(token, str) or not token:
            raise InquiryError("auth_failed", str(data.get("error_description", response.status_code))[:200])
        lifetime = data.get("expires_in")
        return token, int(lifetime) if str(lifetime).isdigit() else 1800

    def find_payments(self, *, biller_id: str, ref1: str, ref2: str, dates: Iterable[dt.date]) -> list[Confirmation]:
        """The payment of the QR requested under partnerTxnUid = `ref1` (KBank asks by QR, not by day)."""
        body = {
            "partnerTxnUid": uuid.uuid4().hex[:15].upper(),
            "partnerId": self.connection.partner_id,
            "partnerSecret": self.connection.partner_secret,
            "requestDt": timezone.now().astimezone(BANGKOK).isoformat(timespec="seconds"),
            "merchantId": self.connection.merchant_id,
            "terminalId": "",
            "qrType": "3",  # Thai QR
            "origPartnerTxnUid": ref1,
        }
        response = self._call(
            "POST",
            f"{self.base}/v1/qrpayment/v4/inquiry",
            json=body,
            headers={"authorization": f"Bearer {self.token()}", "content-type": "application/json"},
        )
        if response.status_code == 401:
            cache.delete(self._token_cache_key())
            raise InquiryError("auth_failed", "token refused")
        data = self._json(response)
        if data.get("statusCode") != "00":
            if data.get("errorCode") == "invalid_origPartnerTxnUid":
                return []
            raise InquiryError("bank_error", f"{data.get('errorCode')}: {data.get('errorDesc')}"[:200])
        status = data.get("txnStatus")
        if status in ("REQUESTED", "EXPIRED", "CANCELLED", "NOT_FOUND"):
            return []
        if status not in ("PAID", "VOIDED"):
            raise InquiryError("nonsense", f"txnStatus {status!r}")
        try:
            confirmation = KBankAdapter().parse(
                {
                    "statusCode": "00",
                    "partnerTxnUid": ref1,
                    "txnNo": data.get("txnNo"),
                    "txnAmount": data.get("txnAmount"),
                    "txnCurrencyCode": data.get("txnCurrencyCode"),
                }
            )
        except ConfirmationError as exc:
            raise InquiryError("nonsense", str(exc)) from exc
        confirmation = Confirmation(**{**confirmation.__dict__, "raw": {**data, "partnerSecret": "***"}})
        return [_reversed(confirmation) if status == "VOIDED" else confirmation]


def _reversed(confirmation: Confirmation) -> Confirmation:
    return Confirmation(**{**confirmation.__dict__, "reversed": True})


CLIENTS = {"scb": ScbClient, "kbank": KBankClient}


def client_for(connection, **kwargs) -> BankClient:
    return CLIENTS[connection.bank](connection, **kwargs)

