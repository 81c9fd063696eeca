"""The town's e-Saraban settings row, fetched one way by actions, PDFs and pages."""

from __future__ import annotations

from django.db import connection

from .models import SarabanSettings


def saraban_settings() -> SarabanSettings:
    """The town's e-Saraban settings row (created with defaults on first use)."""
    tenant = getattr(connection, "tenant", None)
    row, _created = SarabanSettings.objects.get_or_create(
        pk=1, defaults={"agency_name": getattr(tenant, "name_th", "") or ""}
    )
    return row
