"""The LINE conversation draft: the text a resident sent before sharing a location."""

from __future__ import annotations

from ..models import (
    DESCRIPTION_MAX,
    LineConversation,
)


def remember_line_text(*, line_user_id: str, text: str) -> None:
    LineConversation.objects.update_or_create(
        line_user_id=line_user_id, defaults={"draft_text": text.strip()[:DESCRIPTION_MAX]}
    )


def take_line_draft(*, line_user_id: str) -> str:
    conversation = LineConversation.objects.filter(line_user_id=line_user_id).first()
    if conversation is None:
        return ""
    text = conversation.draft_text
    conversation.delete()
    return text
