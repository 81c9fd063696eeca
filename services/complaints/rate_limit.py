"""Fixed-window counters in the cache (keys carry the schema name) against submission floods."""

from __future__ import annotations

import time

from django.core.cache import cache

from services.common.client_ip import client_ip as common_client_ip


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
    """The client's address as every limiter sees it (services/common/client_ip.py)."""
    return common_client_ip(request)
