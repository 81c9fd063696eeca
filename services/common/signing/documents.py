"""Sign an official PDF as it is issued, or mark it unsigned / pending, and sign pending ones later."""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import SignedDocument, SigningSettings, StoredFile
from ..workflow import move
from .certificates import SigningUnavailable, has_certificate, load_signer, signing_settings

log = logging.getLogger(__name__)

# Printed on the document (top and every page's foot) when it is not signed. Thai first; the PDF is
# an official Thai document whatever the reader's language.
NOTICE_UNSIGNED = "เอกสารนี้ไม่ได้ลงลายมือชื่อดิจิทัล (Not digitally signed)"
NOTICE_PENDING = (
    "เอกสารนี้รอลงลายมือชื่อดิจิทัลของหน่วยงาน ตรวจสอบสถานะได้ที่หน้าตรวจสอบเอกสาร "
    "(Digital signature pending: check the verification page)"
)
TSA_TIMEOUT_SECONDS = 10
# A pending document is signed by the task (the system); signed and unsigned ones are final: a new
# copy of the document gets a record of its own.
SIGNATURE_TRANSITIONS = {SignedDocument.Status.PENDING: {SignedDocument.Status.SIGNED: None}}


class TimestampUnavailable(SigningUnavailable):
    """The timestamp authority is down or refused: every document waits on it alike."""
FIELD_NAME = "TownSignature"


@dataclass(frozen=True)
class Outcome:
    """What issuing gave: the PDF bytes and whether they are signed."""

    pdf: bytes
    status: str  # SignedDocument.Status
    message: str = ""
    signer_subject: str = ""
    timestamped: bool = False

    @property
    def is_signed(self) -> bool:
        return self.status == SignedDocument.Status.SIGNED


def status_label(status: str) -> str:
    return str(SignedDocument.Status(status).label)


def _timestamper(config: SigningSettings):
    if not config.tsa_url:
        return None
    from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper

    return RequestsHTTPTimeStamper(config.tsa_url, timeout=TSA_TIMEOUT_SECONDS)


def sign_pdf(pdf: bytes, *, reason: str, name: str = "", config: SigningSettings | None = None) -> tuple[bytes, bool]:
    """The PDF signed (PAdES B-B, or B-T with the town's timestamp authority) and whether it was
    timestamped; SigningUnavailable when the certificate or the timestamp authority fails."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    config = config or signing_settings()
    signer = load_signer(config)
    timestamper = _timestamper(config)
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        reason=reason[:200] or None,
        name=name[:200] or None,
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        output = signers.sign_pdf(writer, meta, signer=signer, timestamper=timestamper)
    except Exception as exc:  # the timestamp authority down or refusing, a malformed answer
        log.warning("signing failed: %s", exc)
        if timestamper is not None:
            raise TimestampUnavailable(
                _("ผู้ให้บริการประทับเวลาไม่ตอบหรือปฏิเสธ (The timestamp authority did not answer)")
            ) from exc
        raise SigningUnavailable(_("ลงลายมือชื่อดิจิทัลไม่สำเร็จ (Signing failed)")) from exc
    return output.getvalue(), timestamper is not None


def issue_pdf(render: Callable[[str], bytes], *, reason: str, name: str = "") -> Outcome:
    """Render with `render(notice)` and sign; when signing is not possible the document is still
    issued, rendered with a notice printed on it: unsigned, or pending (signed later by the task)."""
    config = signing_settings()
    if not has_certificate(config):
        return Outcome(
            render(NOTICE_UNSIGNED),
            SignedDocument.Status.UNSIGNED,
            _("หน่วยงานยังไม่ได้ตั้งใบรับรอง (The town has no signing certificate)"),
        )
    try:
        signed, timestamped = sign_pdf(render(""), reason=reason, name=name, config=config)
    except SigningUnavailable as exc:
        if config.on_failure == SigningSettings.OnFailure.QUEUE:
            return Outcome(render(NOTICE_PENDING), SignedDocument.Status.PENDING, str(exc))
        return Outcome(render(NOTICE_UNSIGNED), SignedDocument.Status.UNSIGNED, str(exc))
    return Outcome(signed, SignedDocument.Status.SIGNED, "", config.subject, timestamped)


def record_outcome(stored: StoredFile, outcome: Outcome, *, reason: str) -> SignedDocument:
    """Keep the stored PDF's signature status (the verification pages read it; the task signs pending)."""
    return SignedDocument.objects.create(
        file=stored,
        status=outcome.status,
        reason=reason[:200],
        signer_subject=outcome.signer_subject,
        timestamped=outcome.timestamped,
        signed_at=timezone.now() if outcome.is_signed else None,
        message=outcome.message,
    )


def _replace_content(stored: StoredFile, content: bytes) -> None:
    old_name = stored.file.name
    stored.file.save(f"{stored.public_id.hex}-signed", ContentFile(content), save=False)
    stored.size = len(content)
    stored.sha256 = hashlib.sha256(content).hexdigest()
    stored.save(update_fields=["file", "size", "sha256"])
    storage = stored.file.storage
    transaction.on_commit(lambda: storage.delete(old_name))


def sign_pending_documents(*, limit: int = 50) -> int:
    """Sign the town's documents issued while signing was unavailable; returns how many got signed.

    The stored bytes are signed as they are (the text the holder already has does not change);
    each document is locked so two workers never sign one twice.
    """
    config = signing_settings()
    signed = 0
    ids = list(
        SignedDocument.objects.filter(status=SignedDocument.Status.PENDING).order_by("pk").values_list("pk", flat=True)[
            :limit
        ]
    )
    for pk in ids:
        with transaction.atomic():
            row = SignedDocument.objects.select_for_update(skip_locked=True).filter(
                pk=pk, status=SignedDocument.Status.PENDING
            ).select_related("file").first()
            if row is None:
                continue
            with row.file.file.open("rb") as handle:
                content = handle.read()
            try:
                result, timestamped = sign_pdf(content, reason=row.reason, config=config)
            except SigningUnavailable as exc:
                row.attempts += 1
                row.message = str(exc)
                row.save(update_fields=["attempts", "message"])
                if isinstance(exc, TimestampUnavailable) or not has_certificate(config):
                    break  # the same fault will stop the rest: try again on the next run
                continue
            _replace_content(row.file, result)
            move(row, to=SignedDocument.Status.SIGNED, by=None, transitions=SIGNATURE_TRANSITIONS)
            row.signer_subject = config.subject
            row.timestamped = timestamped
            row.signed_at = timezone.now()
            row.message = ""
            row.save()
            signed += 1
    return signed
