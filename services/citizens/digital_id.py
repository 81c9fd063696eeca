"""Sign-in with a Thai digital ID (ThaiD, DGA Digital ID): the OpenID Connect client side.

Authorization code flow with PKCE (S256) through authlib's OAuth2Session; the ID token is verified
with joserfc against the provider's published JWKS: signature, issuer, audience (this town's
client id; `azp` when there are several), nonce (the one put in this browser's session), expiry.
What the provider vouched for comes back as an `Identity`; binding it to an account is actions.py.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.requests_client import OAuth2Session
from django.core.cache import cache
from django.urls import reverse
from django.utils.translation import gettext as _
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from services.common.links import town_url
from services.common.thai_id import is_valid_thai_id

from .models import DigitalIdProvider

TIMEOUT = 8  # seconds for each call to the provider
SESSION_KEY = "digital_id_pending"
PENDING_TTL = 600  # an authorization started more than 10 minutes ago is void
CLOCK_LEEWAY = 60


class DigitalIdError(Exception):
    """A sign-in that cannot go on. `status` is the HTTP status the page answers with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class ProviderUnavailable(DigitalIdError):
    def __init__(self) -> None:
        super().__init__(_("ระบบยืนยันตัวตนดิจิทัลไม่ตอบสนอง กรุณาลองใหม่ภายหลัง "
                           "(The digital ID service is not answering; please try again later)"), status=502)


@dataclass(frozen=True)
class Identity:
    provider: DigitalIdProvider
    subject: str
    national_id: str
    first_name: str
    last_name: str
    nonce: str


def redirect_uri(provider: DigitalIdProvider) -> str:
    return provider.redirect_uri or town_url(reverse("citizens:callback"))


def _get_json(url: str) -> dict:
    try:
        response = requests.get(url, timeout=TIMEOUT)
    except requests.RequestException as exc:
        raise ProviderUnavailable() from exc
    if response.status_code != 200:
        raise ProviderUnavailable()
    try:
        data = response.json()
    except ValueError as exc:
        raise ProviderUnavailable() from exc
    if not isinstance(data, dict):
        raise ProviderUnavailable()
    return data


def discover(provider: DigitalIdProvider) -> dict:
    """The provider's OpenID configuration (cached 10 minutes); its issuer must be the one registered."""
    issuer = provider.issuer.rstrip("/")
    key = f"oidc-discovery:{issuer}"
    config = cache.get(key)
    if config is None:
        config = _get_json(f"{issuer}/.well-known/openid-configuration")
        if config.get("issuer", "").rstrip("/") != issuer or not all(
            isinstance(config.get(name), str) for name in ("authorization_endpoint", "token_endpoint", "jwks_uri")
        ):
            raise DigitalIdError(_("ผู้ให้บริการตั้งค่าไม่ถูกต้อง (The provider's configuration does not match)"), 502)
        cache.set(key, config, 600)
    return config


def _keys(provider: DigitalIdProvider, config: dict, *, refresh: bool = False) -> KeySet:
    key = f"oidc-jwks:{provider.issuer.rstrip('/')}"
    data = None if refresh else cache.get(key)
    if data is None:
        data = _get_json(config["jwks_uri"])
        cache.set(key, data, 600)
    try:
        return KeySet.import_key_set(data)
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise DigitalIdError(_("กุญแจของผู้ให้บริการอ่านไม่ได้ (The provider's keys cannot be read)"), 502) from exc


def _session(provider: DigitalIdProvider, **kwargs) -> OAuth2Session:
    return OAuth2Session(
        client_id=provider.client_id, client_secret=str(provider.client_secret or ""), scope=provider.scope,
        redirect_uri=redirect_uri(provider), code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_post", **kwargs,  # noqa: S106 (a method name)
    )


def begin(request, provider: DigitalIdProvider, *, next_url: str = "") -> str:
    """The provider's authorization URL; state, nonce and PKCE verifier kept in this browser's session."""
    config = discover(provider)
    state, nonce, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48)
    url, _state = _session(provider).create_authorization_url(
        config["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier,
    )
    pending = {k: v for k, v in request.session.get(SESSION_KEY, {}).items() if v["at"] > time.time() - PENDING_TTL}
    pending[state] = {"provider": provider.pk, "nonce": nonce, "verifier": verifier, "at": time.time(),
                      "next": next_url}
    request.session[SESSION_KEY] = pending
    return url


def take_pending(request, state: str) -> dict:
    """The pending authorization this callback answers — once: a replayed callback finds nothing."""
    pending = request.session.get(SESSION_KEY, {})
    entry = pending.pop(state, None) if isinstance(state, str) else None
    request.session[SESSION_KEY] = pending
    if entry is None or entry["at"] < time.time() - PENDING_TTL:
        raise DigitalIdError(_("คำขอเข้าสู่ระบบหมดอายุหรือถูกใช้ไปแล้ว กรุณาเริ่มใหม่ "
                               "(This sign-in has expired or was already used; please start again)"))
    return entry


def complete(provider: DigitalIdProvider, *, code: str, pending: dict) -> Identity:
    """Exchange the code (with the PKCE verifier) and verify the ID token."""
    config = discover(provider)
    try:
        token = _session(provider).fetch_token(
            config["token_endpoint"], grant_type="authorization_code", code=code,
            code_verifier=pending["verifier"], timeout=TIMEOUT,
        )
    except requests.RequestException as exc:
        raise ProviderUnavailable() from exc
    except AuthlibBaseError as exc:  # the provider's error answer (OAuthError from the client)
        if exc.error in ("temporarily_unavailable", "server_error") or (getattr(exc, "status_code", 0) or 0) >= 500:
            raise ProviderUnavailable() from exc
        raise DigitalIdError(_("ผู้ให้บริการไม่ยอมรับคำขอ (The provider refused the sign-in): %(error)s")
                             % {"error": exc.error}) from exc
    except ValueError as exc:  # a token endpoint answering with something that is not JSON
        raise ProviderUnavailable() from exc
    raw = token.get("id_token")
    if not isinstance(raw, str) or not raw:
        raise DigitalIdError(_("ผู้ให้บริการไม่ส่งข้อมูลยืนยันตัวตน (No ID token from the provider)"), 502)
    claims = verify_id_token(provider, config, raw, nonce=pending["nonce"])
    national_id = str(claims.get(provider.national_id_claim) or "")
    if not is_valid_thai_id(national_id):
        raise DigitalIdError(_("ผู้ให้บริการไม่ส่งเลขประจำตัวประชาชนที่ถูกต้อง "
                               "(The provider did not send a valid national ID)"), 502)
    return Identity(
        provider=provider, subject=str(claims["sub"]), national_id=national_id,
        first_name=str(claims.get("given_name") or "")[:150], last_name=str(claims.get("family_name") or "")[:150],
        nonce=pending["nonce"],
    )


def verify_id_token(provider: DigitalIdProvider, config: dict, raw: str, *, nonce: str) -> dict:
    refused = DigitalIdError(_("ข้อมูลยืนยันตัวตนไม่ผ่านการตรวจสอบ (The ID token failed verification)"), 401)
    algorithms = config.get("id_token_signing_alg_values_supported") or ["RS256"]
    algorithms = [a for a in algorithms if a in {"RS256", "RS384", "RS512", "PS256", "ES256", "ES384"}]
    try:
        try:
            token = jwt.decode(raw, _keys(provider, config), algorithms=algorithms)
        except JoseError:
            # the provider may have rotated its key since we cached its JWKS: fetch once more
            token = jwt.decode(raw, _keys(provider, config, refresh=True), algorithms=algorithms)
        claims = token.claims
        jwt.JWTClaimsRegistry(
            leeway=CLOCK_LEEWAY,
            iss={"essential": True, "value": config["issuer"]},
            aud={"essential": True, "value": provider.client_id},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        ).validate(claims)
    except (JoseError, ValueError, TypeError) as exc:
        raise refused from exc
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != provider.client_id:
        raise refused
    return claims
