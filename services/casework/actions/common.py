"""What every case action needs: the locked row, the timeline line, the applicant check, dates and the per-kind settings row."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from services.common.buddhist_era import BANGKOK
from services.common.files.actions import store_upload
from services.common.files.sniff import sniff_type

from ..models import (
    Case,
    CaseEvent,
    DeadlineRule,
    ServiceSettings,
)
from ..working_days import add_working_days

ACCEPTED_UPLOAD_TYPES = ("application/pdf", "image/jpeg")


PHOTO_TYPES = ("image/jpeg", "image/png")


def today() -> dt.date:
    return timezone.now().astimezone(BANGKOK).date()


def due_after(start: dt.date, days: int, rule: str) -> dt.date:
    if rule == DeadlineRule.WORKING_DAYS:
        return add_working_days(start, days)
    return start + dt.timedelta(days=days)


def settings_for(kind: str) -> ServiceSettings:
    return ServiceSettings.objects.get_or_create(kind=kind)[0]


def lock_case(case_id: int) -> Case:
    return Case.objects.select_for_update().get(pk=case_id)


def record_event(case: Case, kind: str, message: str, *, by=None, public: bool = True) -> CaseEvent:
    actor = by if (by is not None and getattr(by, "is_authenticated", False)) else None
    return CaseEvent.objects.create(case=case, kind=kind, message=message, actor=actor, is_public=public)


def require_applicant(case: Case, by) -> None:
    if by is None or case.applicant_id != by.pk:
        raise PermissionDenied(_("เฉพาะผู้ยื่นคำขอเท่านั้น (Only the applicant may do this)"))


def sniff_upload_type(upload: UploadedFile) -> str:
    """The real type from the first bytes (the shared sniffer): a renamed .exe must not pass as a PDF."""
    return sniff_type(upload)


def checked_store(upload: UploadedFile, *, purpose: str, by, allowed: tuple[str, ...], max_mb: int):
    actual = sniff_upload_type(upload)
    if actual not in allowed:
        raise ValidationError(
            _("รับเฉพาะไฟล์ %(types)s (Only %(types)s files are accepted)")
            % {"types": ", ".join("PDF" if t.endswith("pdf") else t.split("/")[1].upper() for t in allowed)},
            code="file_type",
        )
    return store_upload(upload, purpose=purpose, by=by, allowed_types=allowed, max_bytes=max_mb * 1024 * 1024)
