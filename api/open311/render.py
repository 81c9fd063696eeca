"""GeoReport v2 output in JSON or XML, shaped exactly as the spec's examples (UTF-8, XML declaration)."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

from django.http import HttpResponse, JsonResponse

CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}


def _append(parent: ET.Element, name: str, value) -> None:
    child = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for key, item in value.items():
            _append(child, key, item)
    elif isinstance(value, list):
        singular = {
            "attributes": "attribute",
            "values": "value",
            "endpoints": "endpoint",
            "formats": "format",
        }.get(name, "item")
        for item in value:
            _append(child, singular, item)
    elif value is None:
        pass
    elif isinstance(value, bool):
        child.text = "true" if value else "false"
    else:
        child.text = str(value)


def to_xml(root: str, item: str | None, data) -> bytes:
    element = ET.Element(root)
    if item is None:
        for key, value in data.items():
            _append(element, key, value)
    else:
        for row in data:
            _append(element, item, row)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(
        element, encoding="utf-8", xml_declaration=False
    )


def respond(fmt: str, data, *, root: str, item: str | None, status: int = 200) -> HttpResponse:
    """`data` is a list of rows (wrapped in <root><item>…) or, with item=None, one object."""
    body = to_xml(root, item, data) if fmt == "xml" else json.dumps(data, ensure_ascii=False).encode()
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPES.get(fmt, CONTENT_TYPES["json"]))
    response["Access-Control-Allow-Origin"] = "*"
    return response


def error(fmt: str, status: int, description: str) -> HttpResponse:
    """The spec's error shape: [{"code": 400, "description": "..."}] / <errors><error>…</error></errors>."""
    return respond(
        fmt, [{"code": status, "description": description}], root="errors", item="error", status=status
    )


def guard_refusal(status: int, th: str, en: str) -> JsonResponse:
    """A request refused before any view (services/common/request_guard.py), as Open311's error list."""
    return JsonResponse([{"code": status, "description": f"{th} ({en})"}], status=status, safe=False)
