"""Which adapter carries the `line` channel: the LINE Messaging API when LINE_PROVIDER=line (each
town's own Official Account token, kept by the app that declares it), else the file stand-in."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.utils.module_loading import import_string

from .base import FileAdapter


def declared_adapter(channel: str) -> str:
    """The adapter an installed app declares for `channel` (`AppConfig.message_adapters`, a dict
    channel → dotted path): the LINE Official Account belongs to One Stop Service, whose webhook
    files complaints, and this package names no service."""
    for config in apps.get_app_configs():
        path = getattr(config, "message_adapters", {}).get(channel)
        if path:
            return path
    return ""


def line_adapter():
    path = declared_adapter("line") if settings.LINE_PROVIDER == "line" else ""
    return import_string(path)() if path else FileAdapter("line")
