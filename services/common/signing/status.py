"""What the public verification pages say about a document's signature."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.utils.translation import gettext as _

from ..models import SignedDocument, StoredFile
from .certificates import SigningUnavailable, has_certificate, load_signer, signing_settings
from .validation import inspect_pdf

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignatureStatus:
    state: str  # SignedDocument.Status
    label: str
    signer: str = ""
    signed_at: dt.datetime | None = None
    timestamped: bool = False
    verified: bool | None = None  # the stored file's signature checked now: intact and by the town's certificate
    message: str = ""


def _town_roots() -> list:
    try:
        signer = load_signer(signing_settings())
    except SigningUnavailable:
        return []
    return [signer.signing_cert, *list(signer.cert_registry)]


def stored_document_status(stored: StoredFile | None) -> SignatureStatus | None:
    """The signature status of a stored official PDF, its signature checked again now."""
    if stored is None:
        return None
    row = SignedDocument.objects.filter(file=stored).first()
    if row is None:
        return None
    if row.status != SignedDocument.Status.SIGNED:
        return SignatureStatus(row.status, str(row.get_status_display()), message=row.message)
    try:
        with stored.file.open("rb") as handle:
            report = inspect_pdf(handle.read(), trust_roots=_town_roots())
    except OSError:
        log.warning("stored document %s is missing", stored.pk)
        return SignatureStatus(row.status, str(row.get_status_display()), row.signer_subject, row.signed_at, row.timestamped)
    return SignatureStatus(
        row.status,
        str(row.get_status_display()),
        report.signer or row.signer_subject,
        report.signed_at or row.signed_at,
        report.timestamped,
        verified=report.intact and report.covers_whole_file,
    )


def issuing_status() -> SignatureStatus:
    """What a document issued now gets (for documents rendered on each download, like receipts)."""
    config = signing_settings()
    if not has_certificate(config):
        return SignatureStatus(
            SignedDocument.Status.UNSIGNED,
            str(SignedDocument.Status.UNSIGNED.label),
            message=_("หน่วยงานยังไม่ได้ตั้งใบรับรอง (The town has no signing certificate)"),
        )
    try:
        load_signer(config)
    except SigningUnavailable as exc:
        return SignatureStatus(SignedDocument.Status.UNSIGNED, str(SignedDocument.Status.UNSIGNED.label), message=str(exc))
    return SignatureStatus(
        SignedDocument.Status.SIGNED, str(SignedDocument.Status.SIGNED.label), config.subject, timestamped=bool(config.tsa_url)
    )
