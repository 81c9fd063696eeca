"""The LINE conversation draft: the text a resident sent before sharing a location."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .. import photos
from ..models import (
    DESCRIPTION_MAX,
    LineConversation,
    LineDraftPhoto,
    LineWebhookEvent,
)


def remember_line_text(*, line_user_id: str, text: str) -> None:
    LineConversation.objects.update_or_create(
        line_user_id=line_user_id, defaults={"draft_text": text.strip()[:DESCRIPTION_MAX]}
    )


def take_line_draft(*, line_user_id: str, keep: bool = False) -> str:
    """The text this user sent while filing ('' if none); forgotten with its photos unless `keep`."""
    conversation = LineConversation.objects.filter(line_user_id=line_user_id).first()
    if conversation is None:
        return ""
    text = conversation.draft_text
    if not keep:
        conversation.delete()
    return text


def first_time_line_event(*, event_id: str) -> bool:
    """True the first time this webhookEventId is seen; a redelivered or repeated event is False."""
    if not event_id:
        return True
    try:
        with transaction.atomic():
            LineWebhookEvent.objects.create(event_id=event_id[:80])
    except IntegrityError:
        return False
    return True


def remember_line_photo(*, line_user_id: str, message_id: str, data: bytes, content_type: str = "") -> int:
    """Keep a photo sent in the chat for the case being filed; the same checks as a web upload
    (size, type, pixels, decodable) refuse it with the same Thai+English message. Returns how many
    photos the draft holds."""
    upload = SimpleUploadedFile(f"line-{message_id}.jpg", data, content_type=content_type or "image/jpeg")
    photos.clean_photo(upload)  # raises ValidationError
    conversation, _created = LineConversation.objects.get_or_create(line_user_id=line_user_id)
    held = conversation.photos.count()
    if held >= photos.MAX_PHOTOS:
        raise ValidationError(_("แนบรูปได้ไม่เกิน 5 รูป (At most 5 photos)"), code="too_many_files")
    LineDraftPhoto.objects.get_or_create(
        line_message_id=message_id[:40], defaults={"conversation": conversation, "image": data}
    )
    return held + 1


def take_line_photos(*, line_user_id: str) -> list[SimpleUploadedFile]:
    """The photos held for this user's draft, as uploads for submit_complaint (checked again there)."""
    rows = LineDraftPhoto.objects.filter(conversation__line_user_id=line_user_id).order_by("pk")
    return [SimpleUploadedFile(f"line-{r.line_message_id}.jpg", bytes(r.image), content_type="image/jpeg") for r in rows]
