"""Host → town resolution, cached in process.

A warm process answers from a dict: zero queries per request. Every change to a Domain or a
Municipality clears this process's map at once and bumps a generation counter in the shared cache;
other processes notice the new generation within TENANT_CACHE_CHECK_SECONDS and clear theirs.
Unknown hosts are remembered too (bounded), so a flood of random Host headers cannot turn into a
flood of queries.
"""

from __future__ import annotations

import threading
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection

GENERATION_KEY = "tenants:directory:generation"
_MISSING = object()
MAX_UNKNOWN_HOSTS = 10_000


class TownDirectory:
    def __init__(self) -> None:
        self._hosts: dict[str, object] = {}
        self._unknown = 0
        self._generation: str | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()

    def resolve(self, hostname: str):
        """The Municipality serving `hostname`, or None."""
        self._check_generation()
        found = self._hosts.get(hostname, _MISSING)
        if found is _MISSING:
            found = self._load(hostname)
            with self._lock:
                if found is None:
                    if self._unknown >= MAX_UNKNOWN_HOSTS:
                        self._hosts = {h: t for h, t in self._hosts.items() if t is not None}
                        self._unknown = 0
                    self._unknown += 1
                self._hosts[hostname] = found
        return found

    def invalidate(self) -> None:
        """Forget every host in this process and tell the other processes to do the same."""
        generation = uuid.uuid4().hex
        with self._lock:
            self._hosts = {}
            self._unknown = 0
            self._generation = generation
            self._checked_at = time.monotonic()
        self._write_shared_generation(generation)

    def clear_local(self) -> None:
        with self._lock:
            self._hosts = {}
            self._unknown = 0
            self._checked_at = 0.0

    def _check_generation(self) -> None:
        now = time.monotonic()
        if now - self._checked_at < settings.TENANT_CACHE_CHECK_SECONDS:
            return
        shared = self._read_shared_generation()
        with self._lock:
            self._checked_at = now
            if shared != self._generation:
                self._hosts = {}
                self._unknown = 0
                self._generation = shared

    @staticmethod
    def _load(hostname: str):
        from .models import Domain

        domain = Domain.objects.select_related("tenant").filter(domain=hostname).first()
        return domain.tenant if domain else None

    # The generation key lives in the public namespace of the cache whatever schema is active.
    @staticmethod
    def _read_shared_generation() -> str | None:
        with _public_cache_namespace():
            return cache.get(GENERATION_KEY)

    @staticmethod
    def _write_shared_generation(generation: str) -> None:
        with _public_cache_namespace():
            cache.set(GENERATION_KEY, generation, timeout=None)


class _public_cache_namespace:
    """django-tenants prefixes cache keys with connection.schema_name; pin it to public."""

    def __enter__(self):
        self._saved = connection.schema_name
        connection.schema_name = "public"

    def __exit__(self, *exc):
        connection.schema_name = self._saved
        return False


directory = TownDirectory()
