"""Storing uploads: size and type checked, hashed, saved under the current town.

The type kept is the one sniffed from the bytes (`sniff.sniff_type`), whatever the browser or the
sender declared: a statement declared text/html is stored as what it is, and `allowed_types` is
checked against the real type."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from services.common.models import StoredFile

from .sniff import sniff_type

DEFAULT_MAX_BYTES = 10 * 1024 * 1024


def store_upload(
    upload: UploadedFile, *, purpose: str, by=None, public: bool = False,
    allowed_types: tuple[str, ...] = (), max_bytes: int = DEFAULT_MAX_BYTES,
) -> StoredFile:
    """Save one uploaded file for the current town and return its record."""
    if upload.size is None or upload.size > max_bytes:
        raise ValidationError(
            _("ไฟล์ใหญ่เกิน %(mb)s MB (File is larger than %(mb)s MB)") % {"mb": max_bytes // (1024 * 1024)},
            code="file_too_large",
        )
    content_type = sniff_type(upload)
    if allowed_types and content_type not in allowed_types:
        raise ValidationError(
            _("ไม่รับไฟล์ประเภทนี้ (This file type is not accepted): %(type)s") % {"type": content_type},
            code="file_type",
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    record = StoredFile(
        purpose=purpose, original_name=(upload.name or "file")[:255], content_type=content_type,
        size=upload.size, sha256=digest.hexdigest(),
        visibility=StoredFile.Visibility.PUBLIC if public else StoredFile.Visibility.PRIVATE,
        uploaded_by=by if (by is not None and by.is_authenticated) else None, created_at=timezone.now(),
    )
    record.file.save(record.public_id.hex, upload, save=False)
    record.save()
    return record


def _purpose_checkers(purpose: str):
    """Checkers declared by apps as AppConfig.file_access = {"<purpose prefix>": callable(user, stored)}."""
    from django.apps import apps

    for config in apps.get_app_configs():
        for prefix, checker in getattr(config, "file_access", {}).items():
            if purpose.startswith(prefix):
                yield import_string(checker) if isinstance(checker, str) else checker


def can_view_file(user, stored: StoredFile) -> bool:
    """Public files: anyone. Private: the uploader, staff allowed to view this town's files, or
    whoever the owning app's checker lets in (e.g. the people a letter was routed to)."""
    if stored.visibility == StoredFile.Visibility.PUBLIC:
        return True
    if not user.is_authenticated:
        return False
    if stored.uploaded_by_id == user.pk or user.has_perm("common.view_storedfile"):
        return True
    return any(checker(user, stored) for checker in _purpose_checkers(stored.purpose))
