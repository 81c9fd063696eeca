"""Absolute addresses on a town's own host, for links that leave the page: SMS, e-mail, LINE, QR
codes, and offers to file with a neighbouring town. `town_url()` is the one way code builds them
(`absolute_url()` is its primitive, for a neighbour known only by its host in the boundary index).
A page answering its own request may use `request.build_absolute_uri` (same origin by definition).

The scheme is https in production; http when DEBUG or on `localhost`. The port is added when the
site is served on a non-standard one (THONGTHIN_PUBLIC_PORT; `make run` sets it to its PORT).
"""

from __future__ import annotations

import os

from django.conf import settings

from tenants.current import current_town


def absolute_url(host: str, path: str) -> str:
    scheme = "http" if (settings.DEBUG or settings.PLATFORM_DOMAIN == "localhost") else "https"
    port = os.environ.get("THONGTHIN_PUBLIC_PORT", "").strip()
    return f"{scheme}://{host}{':' + port if port and port not in ('80', '443') else ''}{path}"


def town_url(path: str, town=None) -> str:
    """`path` on `town`'s primary host (default: the town of the current schema, in a request, a
    task or a `schema_context` alike)."""
    town = town if town is not None else current_town()
    if town is None:
        raise ValueError("town_url() needs a town: the connection is on the public schema")
    return absolute_url(town.primary_host, path)
