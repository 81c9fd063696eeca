"""A local Thai digital-ID provider (stands where ThaiD / DGA Digital ID stand) for development and tests.

A real OpenID Connect provider built from authlib's server components, served over HTTP on a
loopback port: discovery (/.well-known/openid-configuration), JWKS, /authorize (a page where the
"person" confirms who they are, as the ThaiD app would), /token (authorization code + PKCE S256,
client_secret_post or client_secret_basic), /userinfo. ID tokens are RS256 and carry the 13-digit
national ID in `pid`, as ThaiD does, with given_name / family_name.

    python manage.py digital_id_provider --port 8216 --client alpha-thaid:alpha-secret:http://alpha.localhost:8000/accounts/digital-id/callback/

For tests it can be told to misbehave (POST /_control/misbehave {"mode": ...}): sign with a key
that is not in its JWKS, put another audience or nonce in the token, issue an expired token, or
answer the token endpoint with 503. Nothing here is used by the application itself.
"""

from __future__ import annotations

import hashlib
import html
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from authlib.oauth2 import AuthorizationServer, OAuth2Error
from authlib.oauth2.rfc6749 import ClientMixin, OAuth2Request
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload, JsonPayload, JsonRequest
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.core.models import AuthorizationCodeMixin
from joserfc.jwk import KeySet, RSAKey

MISBEHAVIOURS = {"", "foreign_key", "wrong_audience", "wrong_nonce", "expired", "down", "wrong_issuer"}


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uris: list[str]

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope):
        allowed = {"openid", "pid", "profile", "name", "given_name", "family_name", "birthdate"}
        return " ".join(s for s in (scope or "").split() if s in allowed)

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(client_secret or "", self.client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in {"client_secret_post", "client_secret_basic"} if endpoint == "token" else True

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class Person:
    pid: str
    given_name: str
    family_name: str

    @property
    def sub(self) -> str:
        # ThaiD gives each person a stable subject; derived here from the ID so it is stable across runs.
        return hashlib.sha256(f"local-thaid:{self.pid}".encode()).hexdigest()[:32]


@dataclass
class Code(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    person: Person
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time


class _Request(OAuth2Request):
    def __init__(self, method: str, uri: str, headers: dict, query: dict, form: dict):
        super().__init__(method, uri, headers=headers)
        self._args, self._form = query, form
        self.payload = BasicOAuth2Payload({**query, **form})

    @property
    def args(self):
        return self._args

    @property
    def form(self):
        return self._form


class LocalDigitalId:
    """The provider's state: clients, codes, tokens, its signing key, and how it is told to misbehave."""

    def __init__(self, issuer: str = "") -> None:
        self.issuer = issuer
        self.key = RSAKey.generate_key(2048, parameters={"kid": secrets.token_hex(8), "use": "sig"})
        self.foreign_key = RSAKey.generate_key(2048, parameters={"kid": self.key.kid, "use": "sig"})
        self.clients: dict[str, Client] = {}
        self.codes: dict[str, Code] = {}
        self.tokens: dict[str, Person] = {}
        self.misbehaviour = ""
        self.token_requests = 0
        self.lock = threading.Lock()
        self.server = self._authorization_server()

    def add_client(self, client_id: str, client_secret: str, redirect_uris: list[str]) -> None:
        self.clients[client_id] = Client(client_id, client_secret, list(redirect_uris))

    # --- authlib wiring -----------------------------------------------------------------------
    def _authorization_server(self) -> AuthorizationServer:
        provider = self

        class Server(AuthorizationServer):
            def query_client(self, client_id):
                return provider.clients.get(client_id)

            def save_token(self, token, request):
                provider.tokens[token["access_token"]] = request.user

            def create_oauth2_request(self, request):
                return request

            def create_json_request(self, request):
                json_request = JsonRequest(request.method, request.uri, request.headers)
                json_request.payload = JsonPayload()
                return json_request

            def handle_response(self, status, body, headers):
                return status, body, headers

            def send_signal(self, name, *args, **kwargs):
                return None

        class CodeGrant(AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code, request):
                payload = request.payload.data
                provider.codes[code] = Code(
                    code=code, client_id=request.client.client_id, redirect_uri=payload.get("redirect_uri", ""),
                    scope=request.client.get_allowed_scope(payload.get("scope", "")), nonce=payload.get("nonce"),
                    code_challenge=payload.get("code_challenge"),
                    code_challenge_method=payload.get("code_challenge_method"), person=request.user,
                )

            def query_authorization_code(self, code, client):
                found = provider.codes.get(code)
                return found if found and found.client_id == client.client_id else None

            def delete_authorization_code(self, authorization_code):
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code):
                return authorization_code.person

        class IdToken(OpenIDCode):
            def exists_nonce(self, nonce, request):
                return any(c.nonce == nonce and c.client_id == request.payload.client_id
                           for c in provider.codes.values())

            def resolve_client_private_key(self, client):
                return provider.foreign_key if provider.misbehaviour == "foreign_key" else provider.key

            def get_client_claims(self, client):
                audience = "someone-else" if provider.misbehaviour == "wrong_audience" else client.client_id
                issuer = provider.issuer + "/evil" if provider.misbehaviour == "wrong_issuer" else provider.issuer
                claims = {"iss": issuer, "aud": [audience]}
                if provider.misbehaviour == "expired":
                    claims.update(iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)
                return claims

            def get_encode_header(self, client):
                return {"alg": "RS256", "kid": provider.key.kid}

            def get_client_algorithm(self, client):
                return "RS256"

            def get_authorization_code_claims(self, authorization_code):
                claims = super().get_authorization_code_claims(authorization_code)
                if provider.misbehaviour == "wrong_nonce":
                    claims["nonce"] = "not-the-nonce-you-sent"
                return claims

            def generate_user_info(self, user, scope):
                return _user_info(user, scope)

        server = Server(scopes_supported=["openid", "pid", "given_name", "family_name", "name"])
        server.register_token_generator("default", BearerTokenGenerator(lambda *a, **k: secrets.token_urlsafe(32)))
        server.register_grant(CodeGrant, [CodeChallenge(required=True), IdToken(require_nonce=True)])
        return server

    # --- endpoints ----------------------------------------------------------------------------
    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "pid", "given_name", "family_name", "name"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "pid", "given_name", "family_name", "name"],
        }

    def jwks(self) -> dict:
        return KeySet([self.key]).as_dict(private=False)

    def authorization_page(self, request: _Request) -> tuple[int, str, list]:
        try:
            grant = self.server.get_consent_grant(request)
        except OAuth2Error as exc:
            return 400, _page(f"<p>คำขอไม่ถูกต้อง (Bad request): {html.escape(str(exc))}</p>"), []
        hidden = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                         for k, v in request.args.items())
        client = html.escape(grant.client.client_id)
        return 200, _page(
            f"<h1>ThaiD (ทดสอบ)</h1><p>{client} ขอยืนยันตัวตนของท่าน</p>"
            f'<form method="post">{hidden}'
            '<label>เลขประจำตัวประชาชน <input name="pid" id="pid" inputmode="numeric" maxlength="13"></label>'
            '<label>ชื่อ <input name="given_name" id="given_name"></label>'
            '<label>นามสกุล <input name="family_name" id="family_name"></label>'
            '<button type="submit" name="decision" value="allow" id="allow">ยืนยัน (Confirm)</button> '
            '<button type="submit" name="decision" value="deny" id="deny">ไม่อนุญาต (Deny)</button></form>'
        ), []

    def authorize(self, request: _Request) -> tuple[int, str, list]:
        form = request.form
        person = None
        if form.get("decision") == "allow":
            pid = "".join(ch for ch in form.get("pid", "") if ch.isdigit())
            if len(pid) != 13:
                return 400, _page("<p>เลขประจำตัวต้องมี 13 หลัก (13 digits)</p>"), []
            person = Person(pid, form.get("given_name", "").strip(), form.get("family_name", "").strip())
        # the query's parameters came back as hidden fields: the grant reads them from the payload
        with self.lock:
            try:
                grant = self.server.get_consent_grant(request, end_user=person)
            except OAuth2Error as error:
                return self.server.handle_error_response(request, error)
            return self.server.create_authorization_response(request, grant_user=person, grant=grant)

    def token(self, request: _Request) -> tuple[int, str | dict, list]:
        with self.lock:
            self.token_requests += 1
            if self.misbehaviour == "down":
                return 503, {"error": "temporarily_unavailable"}, []
            return self.server.create_token_response(request)

    def userinfo(self, authorization: str) -> tuple[int, dict]:
        token = authorization.removeprefix("Bearer ").strip()
        person = self.tokens.get(token)
        if person is None:
            return 401, {"error": "invalid_token"}
        return 200, dict(_user_info(person, "openid pid given_name family_name"))

    def serve(self, port: int = 0, host: str = "127.0.0.1") -> ThreadingHTTPServer:
        provider = self

        class Handler(ProviderRequestHandler):
            local = provider

        httpd = ThreadingHTTPServer((host, port), Handler)
        if not self.issuer:
            self.issuer = f"http://{host}:{httpd.server_address[1]}"
        return httpd


def _user_info(person: Person, scope: str) -> UserInfo:
    info = UserInfo(sub=person.sub)
    scopes = set((scope or "").split())
    if "pid" in scopes:
        info["pid"] = person.pid
    if scopes & {"given_name", "name", "profile"}:
        info["given_name"] = person.given_name
    if scopes & {"family_name", "name", "profile"}:
        info["family_name"] = person.family_name
    if scopes & {"name", "profile"}:
        info["name"] = f"{person.given_name} {person.family_name}".strip()
    return info


def _page(body: str) -> str:
    return ('<!doctype html><html lang="th"><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width,initial-scale=1">'
            "<title>ThaiD (local)</title><style>body{font-family:sans-serif;max-width:26rem;margin:2rem auto;"
            "padding:0 1rem}label{display:block;margin:.6rem 0}input{width:100%;padding:.5rem}"
            "button{padding:.6rem 1rem;margin-top:.8rem}</style>" + body + "</html>")


class ProviderRequestHandler(BaseHTTPRequestHandler):
    local: LocalDigitalId

    def log_message(self, format, *args):  # noqa: A002 (BaseHTTPRequestHandler's name)
        return

    def _request(self) -> _Request:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        self.raw_body = self.rfile.read(length) if length else b""
        body = self.raw_body.decode("utf-8", "replace")
        form = dict(parse_qsl(body)) if "x-www-form-urlencoded" in (self.headers.get("Content-Type") or "") else {}
        uri = f"{self.local.issuer}{self.path}"
        return _Request(self.command, uri, dict(self.headers.items()), dict(parse_qsl(parts.query)), form)

    def _send(self, status: int, body, headers=(), content_type: str = "application/json") -> None:
        if isinstance(body, dict):
            body, content_type = json.dumps(body), "application/json"
        data = (body or "").encode("utf-8")
        self.send_response(status)
        names = set()
        for name, value in headers:
            self.send_header(name, value)
            names.add(name.lower())
        if "content-type" not in names:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = urlsplit(self.path).path
        if path == "/.well-known/openid-configuration":
            self._send(200, self.local.discovery())
        elif path == "/jwks":
            self._send(200, self.local.jwks())
        elif path == "/authorize":
            status, body, headers = self.local.authorization_page(self._request())
            self._send(status, body, headers, "text/html; charset=utf-8")
        elif path == "/userinfo":
            status, body = self.local.userinfo(self.headers.get("Authorization", ""))
            self._send(status, body)
        else:
            self._send(404, {"error": "not_found"})

    def do_POST(self):
        path = urlsplit(self.path).path
        request = self._request()
        if path == "/authorize":
            # the form re-posts the authorization request's parameters: authlib reads them as the query
            merged = _Request("GET", request.uri, request.headers, dict(request.form), dict(request.form))
            status, body, headers = self.local.authorize(merged)
            self._send(status, body, headers, "text/html; charset=utf-8")
        elif path == "/token":
            status, body, headers = self.local.token(request)
            self._send(status, body, headers)
        elif path == "/_control/misbehave":
            mode = json.loads(self.raw_body or b"{}").get("mode", "")
            if mode not in MISBEHAVIOURS:
                self._send(400, {"error": "unknown mode", "modes": sorted(MISBEHAVIOURS)})
                return
            self.local.misbehaviour = mode
            self._send(200, {"mode": mode})
        elif path == "/_control/clients":
            data = json.loads(self.raw_body or b"{}")
            self.local.add_client(data["client_id"], data["client_secret"], data.get("redirect_uris", []))
            self._send(200, {"client_id": data["client_id"]})
        else:
            self._send(404, {"error": "not_found"})
