"""Open311 api keys: issued once (only the hash is kept), looked up, revoked."""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone

from services.accounts.models import User

from ..models import (
    Open311Client,
)
from .common import clean_text, require_permission


def issue_open311_key(*, name: str, by: User, contact_email: str = "") -> tuple[Open311Client, str]:
    """A new Open311 api_key for one client app; the key is returned once and only its hash is kept."""
    require_permission(by, "complaints.manage_oss_settings")
    name = clean_text(name, name="name", max_length=200)
    key = secrets.token_urlsafe(30)
    client = Open311Client.objects.create(
        name=name,
        contact_email=contact_email,
        key_prefix=key[:8],
        key_hash=hashlib.sha256(key.encode()).hexdigest(),
        created_by=by,
    )
    return client, key


def client_for_key(api_key: str) -> Open311Client | None:
    if not api_key:
        return None
    client = Open311Client.objects.filter(key_hash=hashlib.sha256(api_key.encode()).hexdigest(), is_active=True).first()
    if client is not None:
        Open311Client.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
    return client


def revoke_open311_key(*, client_id: int, by: User) -> None:
    require_permission(by, "complaints.manage_oss_settings")
    Open311Client.objects.filter(pk=client_id).update(is_active=False)
