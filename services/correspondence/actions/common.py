"""Steps every e-Saraban action shares: lock a letter, move its status with a trail line, take a
register number, check choices and lengths, keep files."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from services.accounts.models import User
from services.common.buddhist_era import be_year
from services.common.files.actions import store_upload
from services.common.models import StoredFile
from services.common.numbering import next_number
from services.common.workflow import TransitionNotAllowed, move

from ..models import (
    Letter,
    LetterAttachment,
    LetterEvent,
    LetterKind,
    LetterStatus,
    RegisterEntry,
    Secrecy,
    Urgency,
)
from ..workflow import TRANSITIONS

ATTACHMENT_TYPES = ("application/pdf", "image/jpeg", "image/png")
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


def record_event(letter: Letter, action: str, by: User | None, note: str = "") -> LetterEvent:
    """One line on the letter's trail."""
    return LetterEvent.objects.create(letter=letter, action=action, by=by, note=note)


def move_letter(letter: Letter, to: str, by: User | None, note: str = "") -> None:
    """Change the letter's status through its transition table and write the trail line."""
    old = letter.status
    move(letter, to=to, by=by, transitions=TRANSITIONS, note=note)
    letter.save()
    record_event(letter, f"status:{old}->{to}", by, note)


def locked_letter(letter_id: int, direction: str, target: str) -> Letter:
    """Lock the letter row; a step meant for the other direction is refused like a wrong state."""
    letter = Letter.objects.select_for_update().filter(pk=letter_id).first()
    if letter is None:
        raise Http404
    if letter.direction != direction:
        raise TransitionNotAllowed(letter.get_status_display(), LetterStatus(target).label)
    return letter


def require_permission(user: User, permission: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied(_("คุณไม่มีสิทธิ์ทำรายการนี้ (You may not do this)"))


def take_register_number(letter: Letter, register: str, by: User | None) -> RegisterEntry:
    """Take the next gapless number of `register` for this calendar year (ข้อ 43: runs per year)."""
    now = timezone.now()
    year = be_year(now)
    number = next_number(f"saraban.{register}", year)
    return RegisterEntry.objects.create(
        register=register, year=year, number=number, letter=letter, registered_at=now, registered_by=by
    )


def validate_choices(**values: str) -> None:
    choices = {"kind": LetterKind, "urgency": Urgency, "secrecy": Secrecy}
    errors = {}
    for name, value in values.items():
        if value not in choices[name].values:
            errors[name] = _("ค่าไม่ถูกต้อง (Invalid value)")
    if errors:
        raise ValidationError(errors)


def validate_lengths(**values: str) -> None:
    """Text longer than its column is a 400 with the field named, not a database error."""
    errors = {}
    for name, value in values.items():
        limit = Letter._meta.get_field(name).max_length
        if limit and len(value) > limit:
            errors[name] = _("ยาวเกิน %(limit)d ตัวอักษร (Longer than %(limit)d characters)") % {"limit": limit}
    if errors:
        raise ValidationError(errors)


def attach_uploads(letter: Letter, uploads: Sequence[UploadedFile], *, role: str, by: User | None) -> None:
    for upload in uploads:
        stored = store_upload(
            upload, purpose="saraban", by=by, allowed_types=ATTACHMENT_TYPES, max_bytes=MAX_ATTACHMENT_BYTES
        )
        LetterAttachment.objects.create(letter=letter, file=stored, role=role)


def store_bytes(content: bytes, *, name: str, content_type: str, by: User | None) -> StoredFile:
    """Keep bytes the system made or received (a rendered letter, an exchange attachment)."""
    upload = ContentFile(content, name=name)
    upload.content_type = content_type  # type: ignore[attr-defined]
    return store_upload(
        upload,
        purpose="saraban",
        by=by,
        allowed_types=ATTACHMENT_TYPES,  # type: ignore[arg-type]
        max_bytes=MAX_ATTACHMENT_BYTES * 2,
    )
