"""Waiting for a live process (a Celery worker, a server) to do something the test asked of it."""

from __future__ import annotations

import time


def wait_for(predicate, timeout: float = 60.0, interval: float = 0.3) -> bool:
    """True as soon as `predicate()` is, False once `timeout` seconds have passed without."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False
