"""Read a PDF's signatures back (pyHanko's validator): for the verification pages and the tests."""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignatureReport:
    """What a reader of the PDF can check about its signature."""

    signed: bool
    intact: bool = False  # the signed bytes are unchanged
    trusted: bool = False  # the signer's certificate chains to a trusted root
    signer: str = ""
    signed_at: dt.datetime | None = None  # the timestamp authority's time, else the signer's claim
    timestamped: bool = False
    timestamp_valid: bool = False
    covers_whole_file: bool = False
    problem: str = ""


def _asn1(cert):
    from asn1crypto import x509

    if isinstance(cert, x509.Certificate):
        return cert
    from cryptography.hazmat.primitives import serialization

    return x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def inspect_pdf(pdf: bytes, *, trust_roots: Sequence = ()) -> SignatureReport:
    """The last signature's status; `trust_roots` (asn1crypto or cryptography certificates) are the
    roots for the signer and the timestamp authority. No network: revocation is not fetched."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf))
        signatures = reader.embedded_signatures
    except Exception as exc:  # not a PDF, or a broken one
        return SignatureReport(signed=False, problem=str(exc)[:200])
    if not signatures:
        return SignatureReport(signed=False)
    signature = signatures[-1]
    roots = [_asn1(c) for c in trust_roots]
    context = ValidationContext(trust_roots=roots, allow_fetching=False)
    try:
        status = validate_pdf_signature(signature, context, ts_validation_context=context)
    except Exception as exc:
        log.warning("signature validation failed: %s", exc)
        return SignatureReport(signed=True, problem=str(exc)[:200])
    timestamp = status.timestamp_validity
    signed_at = timestamp.timestamp if timestamp is not None else status.signer_reported_dt
    return SignatureReport(
        signed=True,
        intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted),
        signer=status.signing_cert.subject.human_friendly if status.signing_cert else "",
        signed_at=signed_at,
        timestamped=timestamp is not None,
        timestamp_valid=bool(timestamp is not None and timestamp.intact and timestamp.valid and timestamp.trusted),
        covers_whole_file=status.coverage is not None and status.coverage.name == "ENTIRE_FILE",
    )
