"""Digital signatures on outgoing letters (PAdES, with pyHanko) using the town's certificate.

The 2564 amendment lets an identity-verified system replace the handwritten signature; when a
town has uploaded its PKCS#12 certificate, every letter sent is signed with it. The certificate
and its passphrase are encrypted at rest (Fernet, key derived from SECRET_KEY).
"""

from __future__ import annotations

import base64
import hashlib
import io

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import SarabanSettings


def _fernet() -> Fernet:
    key = hashlib.sha256(b"saraban-signing:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _load_signer(pkcs12: bytes, passphrase: bytes):
    from pyhanko.sign import signers

    try:
        signer = signers.SimpleSigner.load_pkcs12_data(pkcs12, other_certs=[], passphrase=passphrase or None)
    except Exception as exc:  # pyHanko raises several kinds for a wrong passphrase or a bad file
        raise ValidationError(_("เปิดไฟล์ใบรับรองไม่ได้ หรือรหัสผ่านไม่ถูกต้อง (Cannot open the certificate)")) from exc
    if signer is None or signer.signing_cert is None:
        raise ValidationError(_("เปิดไฟล์ใบรับรองไม่ได้ หรือรหัสผ่านไม่ถูกต้อง (Cannot open the certificate)"))
    return signer


def store_certificate(config: SarabanSettings, *, pkcs12: bytes, passphrase: str) -> None:
    """Check that the certificate opens with the passphrase, then keep both encrypted."""
    signer = _load_signer(pkcs12, passphrase.encode())
    config.signing_pkcs12 = _fernet().encrypt(pkcs12)
    config.signing_passphrase = _fernet().encrypt(passphrase.encode())
    config.signing_subject = signer.signing_cert.subject.human_friendly[:500]
    config.save()


def has_certificate(config: SarabanSettings) -> bool:
    return bool(config.signing_pkcs12)


def sign_pdf(pdf: bytes, *, config: SarabanSettings, reason: str, name: str) -> bytes:
    """The PDF signed with the town's certificate, or unchanged when none is configured."""
    if not has_certificate(config):
        return pdf
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    try:
        pkcs12 = _fernet().decrypt(bytes(config.signing_pkcs12))
        passphrase = _fernet().decrypt(bytes(config.signing_passphrase))
    except InvalidToken as exc:
        raise ValidationError(_("ใบรับรองที่เก็บไว้ใช้ไม่ได้ กรุณาอัปโหลดใหม่ (Re-upload the certificate)")) from exc
    signer = _load_signer(pkcs12, passphrase)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name="TownSignature",
        reason=reason[:200],
        name=name[:200],
        location=config.agency_name[:200] or None,
    )
    output = signers.sign_pdf(writer, meta, signer=signer)
    return output.getvalue()
