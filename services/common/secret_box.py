"""Secrets kept at rest (per-town provider credentials, OIDC client secrets, signing keys).

Sealed with Fernet (AES-128-CBC + HMAC-SHA256) under the project's own data keys, never a key
derived from SECRET_KEY: rotating the session secret must not lose a town's certificate, and the
data keys can be rotated on their own. `THONGTHIN_DATA_KEYS` holds comma-separated Fernet keys,
newest first; every key in the list can open, only the first seals. To rotate: put a new key in
front, deploy, run `manage.py rotate_data_keys` (re-seals every stored value with the new key),
then drop the old key. In development and tests a key is made once and kept in the data folder;
production refuses to start without the variable (settings.py).

A value that no configured key opens (its key was dropped too early, or the row was copied from
another deployment) loads as an empty `UnreadableSecret` — the feature acts as "not configured" —
and is written back unchanged, so restoring the key recovers it.
"""

from __future__ import annotations

import logging
import os
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

log = logging.getLogger(__name__)

KEYS_ENV = "THONGTHIN_DATA_KEYS"
_KEY_FILE = "data-keys"


class SealBroken(ValueError):
    """No configured data key opens this value (or it is not a sealed value at all)."""


def _development_key_file() -> Path:
    return Path(settings.DATA_DIR) / _KEY_FILE


def _development_keys() -> str:
    """The key kept in the data folder, made on first use (atomically: parallel processes agree)."""
    path = _development_key_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as out:
            out.write(Fernet.generate_key().decode() + "\n")
    return path.read_text().strip()


def configured_keys() -> list[bytes]:
    """The data keys, newest first."""
    raw = os.environ.get(KEYS_ENV, "").strip()
    if not raw:
        if getattr(settings, "PRODUCTION", False):
            raise ImproperlyConfigured(f"{KEYS_ENV} must be set in production")
        raw = _development_keys()
    keys = [part.strip().encode() for part in raw.split(",") if part.strip()]
    for key in keys:
        try:
            Fernet(key)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{KEYS_ENV}: every key must be a Fernet key (32 bytes, url-safe base64)") from exc
    return keys


@lru_cache(maxsize=1)
def _box() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in configured_keys()])


def reset_keys_cache() -> None:
    """Forget the loaded keys (after the environment changed: tests, a rotation in process)."""
    _box.cache_clear()


def seal(data: bytes | str) -> str:
    """The value sealed with the newest data key, as ASCII text fit for a text column."""
    raw = data.encode() if isinstance(data, str) else bytes(data)
    return _box().encrypt(raw).decode("ascii")


def unseal(token: str | bytes) -> bytes:
    """The plaintext of a sealed value; SealBroken when no configured key opens it."""
    raw = token.encode("ascii", "replace") if isinstance(token, str) else bytes(token)
    try:
        return _box().decrypt(raw)
    except InvalidToken as exc:
        raise SealBroken("no configured data key opens this value") from exc


def reseal(token: str) -> str:
    """The same plaintext sealed with the newest key (SealBroken when it cannot be opened)."""
    try:
        return _box().rotate(token.encode("ascii", "replace")).decode("ascii")
    except InvalidToken as exc:
        raise SealBroken("no configured data key opens this value") from exc


class UnreadableSecret(str):
    """A stored value no configured key opens: reads as empty, saves back as the original token."""

    token: str

    def __new__(cls, token: str) -> UnreadableSecret:
        value = super().__new__(cls, "")
        value.token = token
        return value


class EncryptedTextField(models.TextField):
    """A text column holding a sealed value; the model sees the plaintext `str` ("" when unset).

    Never register such a field with auditlog (a system check refuses it): the log would hold the
    plaintext.
    """

    description = "Text sealed with the project's data keys"

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        try:
            return self.to_plain(unseal(value))
        except SealBroken:
            model = self.model._meta.label if hasattr(self, "model") else "?"
            log.warning("a sealed value of %s.%s cannot be opened with the configured data keys", model, self.name)
            return UnreadableSecret(value)

    def to_plain(self, raw: bytes):
        return raw.decode()

    def to_python(self, value):
        return value

    def get_prep_value(self, value):
        if isinstance(value, UnreadableSecret):
            return value.token
        if value in (None, ""):
            return value
        return seal(value)


class EncryptedBinaryField(EncryptedTextField):
    """Bytes (a PKCS#12 file, a private key) sealed into a text column; the model sees `bytes`."""

    description = "Bytes sealed with the project's data keys"

    def from_db_value(self, value, expression, connection):
        plain = super().from_db_value(value, expression, connection)
        return b"" if plain == "" and not isinstance(plain, UnreadableSecret) else plain

    def to_plain(self, raw: bytes):
        return raw

    def get_prep_value(self, value):
        if isinstance(value, UnreadableSecret):
            return value.token  # equal to "", so it must be caught before the empty check below
        if isinstance(value, memoryview):
            value = value.tobytes()
        if value in (None, b"", ""):
            return value if value is None else ""
        return super().get_prep_value(value)


def encrypted_fields() -> list[tuple[type[models.Model], list[str]]]:
    """Every concrete model with sealed columns, and those columns' names."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found
