"""Free-text query parameters (search boxes, filters) made safe to hand to the database.

PostgreSQL refuses NUL characters in text, so a `?q=%00` reaching a filter would be a 500; a search
term is also bounded so a 100k-character URL does not become a 100k-character LIKE pattern.
"""

from __future__ import annotations

from collections.abc import Mapping

MAX_SEARCH_LENGTH = 100


def clean_text(value: object, limit: int = MAX_SEARCH_LENGTH) -> str:
    """The value as a trimmed string without NUL or other C0 control characters, at most `limit` long."""
    text = "".join(ch for ch in str(value or "") if ch >= " " or ch in "\t")
    return text.strip()[:limit]


def query_param(params: Mapping, key: str, default: str = "", limit: int = MAX_SEARCH_LENGTH) -> str:
    """`params.get(key)` (request.GET or request.query_params) cleaned by `clean_text`."""
    return clean_text(params.get(key, default), limit)
