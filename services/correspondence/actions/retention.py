"""Retention: recording letters destroyed under a committee-approved list (ข้อ 66–70)."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from services.accounts.models import User

from ..models import Letter
from ..selectors import destruction_candidates
from .common import record_event, require_permission


@transaction.atomic
def record_destruction(*, letter_ids: Sequence[int], by: User, committee_note: str) -> int:
    """Record letters destroyed under a committee-approved destruction list (ข้อ 66–70)."""
    require_permission(by, "correspondence.manage_saraban")
    if not committee_note.strip():
        raise ValidationError(
            {"committee_note": _("กรุณาระบุคำสั่ง/มติคณะกรรมการทำลายหนังสือ (Committee decision required)")}
        )
    allowed = set(destruction_candidates().filter(pk__in=letter_ids).values_list("pk", flat=True))
    if allowed != set(letter_ids):
        raise ValidationError(_("บางรายการยังไม่ครบอายุการเก็บ (Some letters are not yet due)"))
    now = timezone.now()
    for letter in Letter.objects.select_for_update().filter(pk__in=allowed):
        letter.destroyed_at = now
        letter.save(update_fields=["destroyed_at", "updated_at"])
        record_event(letter, "destroyed", by, committee_note)
    return len(allowed)
