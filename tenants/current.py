"""The town whose schema this connection is in — the one way code asks "which town am I serving?"."""

from __future__ import annotations

from django.db import connection

from .models import Municipality


def current_town() -> Municipality | None:
    """The Municipality of the schema in use: set by the middleware for a request; inside
    `schema_context()` and the tenant-aware Celery tasks only the schema name is set, so the row is
    read from the registry in `public` (which stays on the search path)."""
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Municipality):
        return tenant
    return Municipality.objects.filter(schema_name=connection.schema_name).first()
