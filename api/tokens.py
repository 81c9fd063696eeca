"""API tokens kept as digests: a copy of the database (a backup, a replica, a support dump) holds no
usable token.

DRF's `Token` row stays the store (one per user, in the schema of the host that issued it); its
`key` column holds the first 40 hex digits of SHA-256 of the token the client was given, which is
shown once. Signing in again issues a new token and retires the old one.
"""

from __future__ import annotations

import hashlib
import secrets

from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:40]


def issue_token(user) -> str:
    """A new token for `user` (the old one stops working); returns the only copy of it."""
    raw = secrets.token_urlsafe(30)
    Token.objects.filter(user=user).delete()
    Token.objects.create(user=user, key=digest(raw))
    return raw


class HashedTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <token>`, looked up by its digest."""

    def authenticate_credentials(self, key):
        return super().authenticate_credentials(digest(key))
