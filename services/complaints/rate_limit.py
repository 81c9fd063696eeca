"""Fixed-window counters in the cache (keys carry the schema name) against submission floods."""

from __future__ import annotations

import time

from django.core.cache import cache


def hit(scope: str, identity: str, *, limit: int, window_seconds: int) -> bool:
    """Count one attempt; False once `identity` has made more than `limit` in the current window."""
    if not identity or limit <= 0:
        return True
    window = int(time.time() // window_seconds)
    key = f"oss-rl:{scope}:{identity}:{window}"
    if cache.add(key, 1, timeout=window_seconds + 5):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds + 5)
        count = 1
    return count <= limit


def client_ip(request) -> str:
    # REMOTE_ADDR is the proxy's address behind nginx; the deployment sets it from X-Forwarded-For
    # in the proxy itself, so a client cannot forge it here.
    return request.META.get("REMOTE_ADDR", "")
