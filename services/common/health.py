"""/healthz (the process is alive) and /readyz (database and broker reachable), on every host."""

from __future__ import annotations

from django.db import connection
from django.http import JsonResponse


def healthz(request):
    return JsonResponse({"status": "ok"})


def _database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True, "ok"
    except Exception as exc:  # any failure means not ready
        return False, type(exc).__name__


def _broker_ok() -> tuple[bool, str]:
    from django.conf import settings
    from kombu import Connection

    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2,
                        transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True, "ok"
    except Exception as exc:  # kombu raises many kinds
        return False, type(exc).__name__


def readyz(request):
    db_ok, db_detail = _database_ok()
    broker_ok, broker_detail = _broker_ok()
    ready = db_ok and broker_ok
    return JsonResponse(
        {"status": "ready" if ready else "not ready", "database": db_detail, "broker": broker_detail},
        status=200 if ready else 503,
    )
