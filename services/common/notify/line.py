"""Which adapter carries the `line` channel: the LINE Messaging API when LINE_PROVIDER=line (each
town's own Official Account token, kept by One Stop Service), else the file stand-in."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from . import FileAdapter

# The LINE Official Account belongs to the town's One Stop Service (its webhook files complaints);
# named by path so this package imports no service.
LINE_ADAPTER = "services.complaints.line_push.LinePushAdapter"


def line_adapter():
    if settings.LINE_PROVIDER == "line":
        return import_string(LINE_ADAPTER)()
    return FileAdapter("line")
