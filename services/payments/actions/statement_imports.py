"""Statement files taken in: read and reconciled at once (command, tests) or kept and queued (uploads)."""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from services.common.files.actions import store_upload
from services.common.queueing import run_after_commit
from services.common.workflow import move

from .. import dispatch
from ..models import StatementImport
from ..reconciliation import reconcile
from ..retrying import retry_on_deadlock
from ..statements import parse
from ..workflow import STATEMENT_TRANSITIONS, StatementStatus

MAX_UPLOAD_BYTES = 40 * 1024 * 1024  # ~150,000 BOT lines


@retry_on_deadlock
def import_statement(*, data: bytes, file_name: str, statement_format: str, by) -> StatementImport:
    """Read a statement file and reconcile it; returns the import with its counts (or the earlier one)."""
    if by is not None and not by.has_perm("payments.add_statementimport"):
        raise PermissionDenied("ไม่มีสิทธิ์นำเข้ารายการธนาคาร (you may not import statements)")
    digest = hashlib.sha256(data).hexdigest()
    earlier = StatementImport.objects.filter(sha256=digest).first()
    if earlier is not None:
        return earlier
    lines = parse(data, statement_format)
    with transaction.atomic():
        statement = StatementImport.objects.create(
            file_name=file_name[:255], format=statement_format, sha256=digest, imported_by=by
        )
        reconcile(statement=statement, lines=lines, by=by)
    return statement


def record_failed_statement(*, data: bytes, file_name: str, error: ValidationError) -> StatementImport:
    """Keep a fetched file that does not add up as a failed import with its reasons (nothing applied)."""
    digest = hashlib.sha256(data).hexdigest()
    earlier = StatementImport.objects.filter(sha256=digest).first()
    if earlier is not None:
        return earlier
    return StatementImport.objects.create(
        file_name=file_name[:255],
        format=StatementImport.Format.BOT,
        sha256=digest,
        status=StatementStatus.FAILED,
        error="\n".join(error.messages),
    )


def queue_statement_import(*, upload, statement_format: str, by) -> StatementImport:
    """Keep an uploaded statement file and reconcile it in a Celery task (big files take tens of seconds).

    Returns the new import (status PROCESSING) or the earlier import of the same file.
    """
    if by is None or not by.has_perm("payments.add_statementimport"):
        raise PermissionDenied("ไม่มีสิทธิ์นำเข้ารายการธนาคาร (you may not import statements)")
    if statement_format not in StatementImport.Format.values:
        raise ValidationError("รูปแบบไฟล์ไม่รู้จัก (unknown statement format)")
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    earlier = StatementImport.objects.filter(sha256=digest.hexdigest()).first()
    if earlier is not None:
        return earlier
    with transaction.atomic():
        stored = store_upload(upload, purpose="bank-statement", by=by, max_bytes=MAX_UPLOAD_BYTES)
        statement = StatementImport.objects.create(
            file_name=(upload.name or "statement")[:255],
            format=statement_format,
            sha256=digest.hexdigest(),
            imported_by=by,
            status=StatementStatus.PROCESSING,
            source_file=stored,
        )
        run_after_commit(dispatch.IMPORT_STATEMENT_FILE, statement.pk)
    return statement


@retry_on_deadlock
def process_statement_import(*, statement_id: int) -> StatementImport:
    """Reconcile a queued statement file once; a file that does not parse is marked failed with its lines."""
    with transaction.atomic():
        statement = (
            StatementImport.objects.select_for_update(of=("self",))
            .select_related("source_file")
            .get(pk=statement_id)
        )
        if statement.status != StatementStatus.PROCESSING:
            return statement
        with statement.source_file.file.open("rb") as handle:
            data = handle.read()
        try:
            lines = parse(data, statement.format)
        except ValidationError as exc:
            move(statement, to=StatementStatus.FAILED, by=None, transitions=STATEMENT_TRANSITIONS)
            statement.error = "\n".join(exc.messages)
            statement.save(update_fields=["status", "error"])
            return statement
        move(statement, to=StatementStatus.DONE, by=None, transitions=STATEMENT_TRANSITIONS)
        reconcile(statement=statement, lines=lines, by=statement.imported_by)
    return statement
