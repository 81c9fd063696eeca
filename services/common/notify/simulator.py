"""A local stand-in for the messaging providers, speaking their published HTTP contracts on loopback.

ThaiBulkSMS v2 (POST /sms), Twilio (POST /2010-04-01/Accounts/<sid>/Messages.json) and the LINE
Messaging API (POST /v2/bot/message/reply|push, GET /v2/bot/message/<id>/content) — enough for
the adapters to be exercised end to end: `manage.py messaging_simulator` serves it for a
developer, the tests start one per test. Each request is recorded; `script()` queues how the next
requests are answered ("ok", "401", "bad_number", "500", "timeout", "html", "empty",
"error_in_200", "expired_token" for LINE replies).
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

_TWILIO_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>[^/]+)/Messages\.json$")
_LINE_CONTENT = re.compile(r"^/v2/bot/message/(?P<id>[^/]+)/content$")


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict
    form: dict
    json: dict | None
    raw: bytes = b""


@dataclass
class ProviderSimulator:
    thaibulksms_key: str = "tbs-key"
    thaibulksms_secret: str = "tbs-secret"  # noqa: S105 - the simulator's own test credential
    twilio_sid: str = "AC00000000000000000000000000000000"
    twilio_token: str = "twilio-token"  # noqa: S105
    line_token: str = "line-token"  # noqa: S105
    slow_seconds: float = 3.0
    content: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # LINE message id → (bytes, type)
    requests: list[Recorded] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._script: deque[str] = deque()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # --- control --------------------------------------------------------------------------------
    def script(self, *behaviours: str) -> None:
        with self._lock:
            self._script.extend(behaviours)

    def _next(self) -> str:
        with self._lock:
            return self._script.popleft() if self._script else "ok"

    def start(self, port: int = 0) -> ProviderSimulator:
        simulator = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                simulator._handle(self, "POST")

            def do_GET(self) -> None:
                simulator._handle(self, "GET")

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> ProviderSimulator:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server, "start() first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def sent_to(self, path_prefix: str) -> list[Recorded]:
        return [r for r in self.requests if r.path.startswith(path_prefix)]

    # --- the contracts --------------------------------------------------------------------------
    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        ctype = handler.headers.get("Content-Type", "")
        form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()} if "form" in ctype else {}
        body_json = None
        if "json" in ctype:
            try:
                body_json = json.loads(raw or b"null")
            except ValueError:
                body_json = None
        record = Recorded(method, handler.path, dict(handler.headers), form, body_json, raw)
        with self._lock:
            self.requests.append(record)
        behaviour = self._next() if method == "POST" else "ok"
        if behaviour == "timeout":
            time.sleep(self.slow_seconds)
        if behaviour == "500":
            return self._send(handler, 502 if "line" in handler.path else 500, b"<html><body>Bad gateway</body></html>", "text/html")
        if behaviour == "html":
            return self._send(handler, 200, b"<html><body>Maintenance</body></html>", "text/html")
        if behaviour == "empty":
            return self._send(handler, 200, b"", "application/json")
        if handler.path == "/sms" and method == "POST":
            return self._thaibulksms(handler, record, behaviour)
        match = _TWILIO_PATH.match(handler.path)
        if match and method == "POST":
            return self._twilio(handler, record, behaviour, match["sid"])
        if handler.path in ("/v2/bot/message/reply", "/v2/bot/message/push") and method == "POST":
            return self._line(handler, record, behaviour)
        match = _LINE_CONTENT.match(handler.path)
        if match and method == "GET":
            return self._line_content(handler, match["id"])
        return self._json(handler, 404, {"error": "not found"})

    def _basic(self, handler) -> tuple[str, str]:
        auth = handler.headers.get("Authorization", "")
        if not auth.startswith("Basic "):
            return "", ""
        try:
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
        except ValueError:
            return "", ""
        return user, password

    def _thaibulksms(self, handler, record: Recorded, behaviour: str) -> None:
        if behaviour == "401" or self._basic(handler) != (self.thaibulksms_key, self.thaibulksms_secret):
            return self._json(handler, 401, {"error": {"code": 401, "name": "UNAUTHORIZED",
                                                       "description": "API key or secret is invalid"}})
        if behaviour == "error_in_200":
            return self._json(handler, 200, {"error": {"code": 402, "name": "INSUFFICIENT_CREDIT",
                                                       "description": "Credit is not enough"}})
        msisdn = record.form.get("msisdn", "")
        message = record.form.get("message", "")
        if not message:
            return self._json(handler, 400, {"error": {"code": 400, "name": "BAD_REQUEST", "description": "message is required"}})
        good = [n for n in msisdn.split(",") if re.fullmatch(r"66[689]\d{8}", n) and behaviour != "bad_number"]
        bad = [n for n in msisdn.split(",") if n and n not in good]
        credit = max(1, (len(message) + 66) // 67) if len(message) > 70 else 1
        self._json(handler, 201, {
            "remaining_credit": 1000, "total_use_credit": credit * len(good),
            "credit_type": record.form.get("force", "standard"),
            "phone_number_list": [{"number": n, "message_id": uuid.uuid4().hex[:20], "used_credit": credit} for n in good],
            "bad_phone_number_list": [{"number": n, "message": "Invalid phone number"} for n in bad],
        })

    def _twilio(self, handler, record: Recorded, behaviour: str, sid: str) -> None:
        if behaviour == "401" or self._basic(handler) != (self.twilio_sid, self.twilio_token) or sid != self.twilio_sid:
            return self._json(handler, 401, {"code": 20003, "message": "Authenticate", "status": 401,
                                             "more_info": "https://www.twilio.com/docs/errors/20003"})
        to = record.form.get("To", "")
        if behaviour == "bad_number" or not re.fullmatch(r"\+66[689]\d{8}", to):
            return self._json(handler, 400, {"code": 21211, "message": f"The 'To' number {to} is not a valid phone number.",
                                             "status": 400, "more_info": "https://www.twilio.com/docs/errors/21211"})
        if behaviour == "error_in_200":
            return self._json(handler, 200, {"sid": None, "error_code": 30001, "error_message": "Queue overflow"})
        body = record.form.get("Body", "")
        self._json(handler, 201, {
            "sid": "SM" + uuid.uuid4().hex, "status": "queued", "to": to, "from": record.form.get("From"),
            "body": body, "num_segments": str(1 if len(body) <= 70 else (len(body) + 66) // 67), "price": None,
            "error_code": None, "error_message": None,
        })

    def _line(self, handler, record: Recorded, behaviour: str) -> None:
        if behaviour == "401" or handler.headers.get("Authorization") != f"Bearer {self.line_token}":
            return self._json(handler, 401, {"message": "Authentication failed. Confirm that the access token in the authorization header is valid."})
        payload = record.json if isinstance(record.json, dict) else {}
        if behaviour == "expired_token" and handler.path.endswith("/reply"):
            return self._json(handler, 400, {"message": "Invalid reply token"})
        if handler.path.endswith("/reply") and not payload.get("replyToken"):
            return self._json(handler, 400, {"message": "The request body has 1 error(s)", "details": [{"property": "replyToken"}]})
        if handler.path.endswith("/push") and not str(payload.get("to", "")).startswith("U"):
            return self._json(handler, 400, {"message": "The property, 'to', in the request body is invalid"})
        retry_key = handler.headers.get("X-Line-Retry-Key")
        if retry_key and any(r.headers.get("X-Line-Retry-Key") == retry_key for r in self.requests[:-1]):
            return self._json(handler, 409, {"message": "The retry key is already accepted"},
                              extra={"x-line-accepted-request-id": "accepted-before"})
        self._json(handler, 200, {"sentMessages": [{"id": str(uuid.uuid4().int)[:18], "quoteToken": "q"}]},
                   extra={"x-line-request-id": str(uuid.uuid4())})

    def _line_content(self, handler, message_id: str) -> None:
        if handler.headers.get("Authorization") != f"Bearer {self.line_token}":
            return self._json(handler, 401, {"message": "Authentication failed."})
        if message_id not in self.content:
            return self._json(handler, 404, {"message": "Not found"})
        data, ctype = self.content[message_id]
        self._send(handler, 200, data, ctype)

    # --- plumbing -------------------------------------------------------------------------------
    def _json(self, handler, status: int, payload: dict, extra: dict | None = None) -> None:
        self._send(handler, status, json.dumps(payload).encode(), "application/json", extra)

    def _send(self, handler, status: int, body: bytes, ctype: str, extra: dict | None = None) -> None:
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", ctype)
            handler.send_header("Content-Length", str(len(body)))
            for key, value in (extra or {}).items():
                handler.send_header(key, value)
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)
