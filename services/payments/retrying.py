"""Run a whole transaction again when PostgreSQL picked it as a deadlock (or serialization) victim.

A statement import locks hundreds of bills while callbacks lock one each; when their orders cross,
PostgreSQL aborts one of them (SQLSTATE 40P01). Nothing of the aborted transaction was kept, so
running it again from the start is safe — each of these actions is idempotent.
"""

from __future__ import annotations

import functools
import logging
import random
import time

from django.db import OperationalError, connection

RETRY_SQLSTATES = {"40P01", "40001"}  # deadlock_detected, serialization_failure
ATTEMPTS = 4
logger = logging.getLogger(__name__)


def is_retryable(exc: BaseException) -> bool:
    cause = exc.__cause__ or exc.__context__
    return getattr(cause, "sqlstate", None) in RETRY_SQLSTATES


def retry_on_deadlock(func):
    """Retry `func` (which opens its own transaction) up to ATTEMPTS times on a deadlock.

    Inside a caller's transaction nothing can be retried (the caller's work is lost too), so the
    error goes up unchanged.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        for attempt in range(1, ATTEMPTS + 1):
            outer = connection.in_atomic_block
            try:
                return func(*args, **kwargs)
            except OperationalError as exc:
                if outer or attempt == ATTEMPTS or not is_retryable(exc):
                    raise
                logger.warning("%s lost a deadlock (attempt %s); running it again", func.__qualname__, attempt)
                time.sleep(0.05 * 2**attempt + random.random() * 0.05)  # noqa: S311 (jitter, not crypto)
        raise AssertionError("unreachable")

    return wrapper
