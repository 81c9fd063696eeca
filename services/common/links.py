"""Absolute addresses on a town's own host, for links that leave the page: SMS, e-mail, LINE, QR
codes, and offers to file with a neighbouring town.

The scheme is https in production; http when DEBUG or on `localhost`. The port is added when the
site is served on a non-standard one (THONGTHIN_PUBLIC_PORT; `make run` sets it to its PORT).
"""

from __future__ import annotations

import os

from django.conf import settings
from django.db import connection


def absolute_url(host: str, path: str) -> str:
    scheme = "http" if (settings.DEBUG or settings.PLATFORM_DOMAIN == "localhost") else "https"
    port = os.environ.get("THONGTHIN_PUBLIC_PORT", "").strip()
    return f"{scheme}://{host}{':' + port if port and port not in ('80', '443') else ''}{path}"


def town_url(path: str, town=None) -> str:
    """`path` on `town`'s primary host (default: the town of the current schema)."""
    town = town if town is not None else connection.tenant
    return absolute_url(town.primary_host, path)
