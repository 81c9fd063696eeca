"""The town's signing certificate: checked on upload, sealed at rest, loaded only to sign."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import SigningSettings
from ..secret_box import UnreadableSecret

MAX_PKCS12_BYTES = 100 * 1024


class SigningUnavailable(Exception):
    """The document cannot be signed now; `str(exc)` is the Thai + English reason for people."""


def signing_settings() -> SigningSettings:
    """The town's signing row (created empty on first use)."""
    row, _created = SigningSettings.objects.get_or_create(pk=1)
    return row


def _open(pkcs12: bytes, passphrase: str):
    from pyhanko.sign import signers

    try:
        signer = signers.SimpleSigner.load_pkcs12_data(pkcs12, other_certs=[], passphrase=passphrase.encode() or None)
    except Exception as exc:  # pyHanko raises several kinds for a wrong passphrase or a bad file
        raise SigningUnavailable(
            _("เปิดไฟล์ใบรับรองไม่ได้ หรือรหัสผ่านไม่ถูกต้อง (Cannot open the certificate)")
        ) from exc
    if signer is None or signer.signing_cert is None or signer.signing_key is None:
        raise SigningUnavailable(_("เปิดไฟล์ใบรับรองไม่ได้ หรือรหัสผ่านไม่ถูกต้อง (Cannot open the certificate)"))
    return signer


def _validity(signer) -> tuple[dt.datetime, dt.datetime]:
    validity = signer.signing_cert["tbs_certificate"]["validity"]
    return validity["not_before"].native, validity["not_after"].native


def _check_dates(not_before: dt.datetime | None, not_after: dt.datetime | None) -> None:
    now = timezone.now()
    if not_after is not None and not_after < now:
        raise SigningUnavailable(
            _("ใบรับรองหมดอายุแล้ว กรุณาอัปโหลดใบรับรองใหม่ (The certificate has expired)")
        )
    if not_before is not None and not_before > now:
        raise SigningUnavailable(_("ใบรับรองยังไม่ถึงวันเริ่มใช้ (The certificate is not valid yet)"))


def store_certificate(*, pkcs12: bytes, passphrase: str) -> SigningSettings:
    """Check the certificate opens with the passphrase and is in its validity period, then seal it."""
    if len(pkcs12) > MAX_PKCS12_BYTES:
        raise ValidationError(_("ไฟล์ใบรับรองใหญ่เกินไป (Certificate file too large)"))
    try:
        signer = _open(pkcs12, passphrase)
        not_before, not_after = _validity(signer)
        _check_dates(not_before, not_after)
    except SigningUnavailable as exc:
        raise ValidationError(str(exc)) from exc
    config = signing_settings()
    config.pkcs12 = pkcs12
    config.passphrase = passphrase
    config.subject = signer.signing_cert.subject.human_friendly[:500]
    config.not_valid_before = not_before
    config.not_valid_after = not_after
    config.save()
    return config


def remove_certificate() -> SigningSettings:
    """Stop signing: later documents are issued unsigned and marked so."""
    config = signing_settings()
    config.pkcs12 = b""
    config.passphrase = ""
    config.subject = ""
    config.not_valid_before = config.not_valid_after = None
    config.save()
    return config


def has_certificate(config: SigningSettings) -> bool:
    return bool(config.pkcs12) or isinstance(config.pkcs12, UnreadableSecret)


def load_signer(config: SigningSettings):
    """The town's signer, or SigningUnavailable saying why not (none, unreadable, corrupt, expired)."""
    if isinstance(config.pkcs12, UnreadableSecret) or isinstance(config.passphrase, UnreadableSecret):
        raise SigningUnavailable(
            _("ใบรับรองที่เก็บไว้เปิดด้วยกุญแจข้อมูลปัจจุบันไม่ได้ กรุณาอัปโหลดใหม่ (Re-upload the certificate)")
        )
    if not config.pkcs12:
        raise SigningUnavailable(_("หน่วยงานยังไม่ได้ตั้งใบรับรอง (The town has no signing certificate)"))
    signer = _open(bytes(config.pkcs12), config.passphrase or "")
    _check_dates(*_validity(signer))
    return signer


def certificate_problem(config: SigningSettings | None = None) -> str:
    """Why documents cannot be signed right now ("" when they can): for settings pages."""
    try:
        load_signer(config or signing_settings())
    except SigningUnavailable as exc:
        return str(exc)
    return ""
