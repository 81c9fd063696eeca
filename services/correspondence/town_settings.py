"""The town's e-Saraban settings row, fetched one way by actions, PDFs and pages."""

from __future__ import annotations

from tenants.current import current_town

from .models import SarabanSettings


def saraban_settings() -> SarabanSettings:
    """The town's e-Saraban settings row (created with defaults on first use)."""
    row, _created = SarabanSettings.objects.get_or_create(
        pk=1, defaults={"agency_name": getattr(current_town(), "name_th", "") or ""}
    )
    return row


def town_defaults() -> dict:
    """What the onboarding wizard starts from: no letter prefix (each town has its own code)."""
    return {"letter_prefix": ""}


def seed_town(settings: dict) -> str:
    """The letter-number prefix the town set in the wizard (ที่ <prefix>/<number>), so its first
    letter can be sent the day it goes live."""
    prefix = str(settings.get("letter_prefix") or "").strip()
    row = saraban_settings()
    if prefix and row.letter_prefix != prefix:
        row.letter_prefix = prefix
        row.save(update_fields=["letter_prefix"])
    return f"letter prefix {row.letter_prefix or '—'}"
