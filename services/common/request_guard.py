"""One guard, before any view, for the hostile input that would otherwise surface as a 500 deep in
whichever view first touched it:

- a NUL character in the URL path, the query string or a form-encoded body: PostgreSQL cannot take
  U+0000 in text, so the first query using it fails;
- a JSON body nested deeper than MAX_JSON_DEPTH (`[` × 100,000 makes Python's json raise
  RecursionError in every parser: DRF's, the token endpoints', the bank callbacks');
- a body larger than DATA_UPLOAD_MAX_MEMORY_SIZE that a parser would read without Django's limit
  (DRF parsers read the stream directly, so the setting alone does not bound them).

Each is refused with a 400 (413 for the size) in the caller's shape: the app serving the path declares
it (`AppConfig.request_refusals`: the API's error object, Open311's error list), else plain bilingual
text for pages. Multipart bodies are not read here (uploads stream
to disk; Django's form fields already refuse NUL)."""

from __future__ import annotations

import re

from django.apps import apps
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.module_loading import import_string

NUL_MESSAGE = "ข้อมูลมีอักขระที่ไม่อนุญาต (NUL) · The request contains a forbidden character (NUL)."
DEPTH_MESSAGE = "ข้อมูล JSON ซ้อนลึกเกินไป · The JSON body is nested too deeply."
SIZE_MESSAGE = "ข้อมูลที่ส่งมาใหญ่เกินไป · The request body is too large."
# Deep enough for every document the API takes (a GeoJSON MultiPolygon is 4 levels inside its
# Feature), far below the recursion limit.
MAX_JSON_DEPTH = 64


class RequestGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "\x00" in request.path_info or _has_nul(request.GET):
            return refusal(request.path, 400, NUL_MESSAGE)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        """Bodies are checked once the view is known: a view that answers bad bodies in a format of
        its own (a bank's callback) says so with `reads_own_body = True` and is left to do it."""
        if getattr(view_func, "reads_own_body", False) or getattr(
            getattr(view_func, "view_class", None), "reads_own_body", False
        ):
            return None
        content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if request.method not in ("POST", "PUT", "PATCH", "DELETE") or content_type.startswith("multipart/"):
            return None
        try:
            body = request.body  # cached: the view's parser reads this copy, not the stream
        except RequestDataTooBig:
            return refusal(request.path, 413, SIZE_MESSAGE)
        if content_type == "application/x-www-form-urlencoded":
            try:
                if _has_nul(request.POST):
                    return refusal(request.path, 400, NUL_MESSAGE)
            except (MultiPartParserError, RequestDataTooBig, TooManyFieldsSent):
                return refusal(request.path, 400, SIZE_MESSAGE)
        elif json_depth_exceeds(body, MAX_JSON_DEPTH):
            return refusal(request.path, 400, DEPTH_MESSAGE)
        return None


def refusal(path: str, status: int, message: str) -> HttpResponse:
    """The refusal in the shape the caller reads: the first app whose `request_refusals` (a list of
    (path fragment, dotted path of a function(status, th, en) → response)) matches, text for pages."""
    th, en = message.split(" · ")
    for fragment, answer in declared_refusals():
        if fragment in path:
            return import_string(answer)(status, th, en)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def declared_refusals() -> list[tuple[str, str]]:
    return [pair for config in apps.get_app_configs() for pair in getattr(config, "request_refusals", ())]


def json_depth_exceeds(body: bytes, limit: int) -> bool:
    """True when brackets outside strings nest deeper than `limit` (any body: a wrong content type
    does not stop a parser that sniffs). Linear, and skipped for bodies without that many brackets."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    for token in _JSON_TOKENS.findall(body):
        if token in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif token in (b"]", b"}"):
            depth -= 1
    return False


# A whole string literal (its brackets do not count) or one bracket; matched in C, not byte by byte.
_JSON_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def _has_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in data.lists())


