"""Storages that put each town's files under its own schema name (tenancy rule 3)."""

from __future__ import annotations

from django.db import connection
from django_tenants.files.storage import TenantFileSystemStorage


class TownFileStorage(TenantFileSystemStorage):
    """Local disk: MEDIA_ROOT/<schema>/…; never served directly (see services.common.files.views)."""


def _town_location() -> str:
    return connection.schema_name or "public"


try:
    from storages.backends.s3 import S3Storage
except ImportError:  # pragma: no cover - boto3 missing only when S3 is not configured
    S3Storage = None  # type: ignore[assignment,misc]

if S3Storage is not None:

    class TownS3Storage(S3Storage):
        """S3-compatible bucket, one key prefix per schema; objects private, URLs signed."""

        default_acl = "private"
        querystring_auth = True

        @property  # type: ignore[override]
        def location(self) -> str:
            return _town_location()

        @location.setter
        def location(self, value: str) -> None:  # S3Storage assigns it from settings; ignore
            pass
