"""Digital signatures on every official PDF (letters, permits, food certificates, receipts).

PAdES signatures made with pyHanko using the town's own certificate (PKCS#12, sealed with the
project's data keys), with an RFC 3161 timestamp when the town names a timestamp authority. A town
without a certificate, or whose certificate or timestamp authority fails, still gets its document:
unsigned and marked as such, or marked "signature pending" and signed later by the
`sign_pending_documents` task (the town chooses, SigningSettings.on_failure).
"""

from .certificates import (
    MAX_PKCS12_BYTES,
    SigningUnavailable,
    certificate_problem,
    remove_certificate,
    signing_settings,
    store_certificate,
)
from .documents import (
    NOTICE_PENDING,
    NOTICE_UNSIGNED,
    Outcome,
    issue_pdf,
    record_outcome,
    sign_pdf,
    sign_pending_documents,
    status_label,
)
from .status import SignatureStatus, issuing_status, stored_document_status
from .validation import SignatureReport, inspect_pdf

__all__ = [
    "MAX_PKCS12_BYTES",
    "NOTICE_PENDING",
    "NOTICE_UNSIGNED",
    "Outcome",
    "SignatureReport",
    "SignatureStatus",
    "SigningUnavailable",
    "certificate_problem",
    "inspect_pdf",
    "issue_pdf",
    "issuing_status",
    "record_outcome",
    "remove_certificate",
    "sign_pdf",
    "sign_pending_documents",
    "signing_settings",
    "status_label",
    "store_certificate",
    "stored_document_status",
]
