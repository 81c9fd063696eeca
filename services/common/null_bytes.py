"""Refuse NUL characters in query strings with a clear 400.

PostgreSQL cannot take U+0000 in text; left alone, one NUL in a search parameter becomes a database
error (a 500) in whichever view first uses it. Checked once here for every view. Form fields are
not read here (that would consume request bodies the API parsers need): Django's form CharField
already refuses NUL with a field error."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse

MESSAGE = "ข้อมูลมีอักขระที่ไม่อนุญาต (NUL) · The request contains a forbidden character (NUL)."


class RejectNullBytesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request.GET):
            return _refusal(request.path)
        return self.get_response(request)


def _refusal(path: str) -> HttpResponse:
    """The 400 in the shape the caller reads: Open311's error list, the API's error object, text for pages."""
    if "/open311/" in path:
        return JsonResponse([{"code": 400, "description": MESSAGE}], status=400, safe=False)
    if "/api/" in path:
        th, en = MESSAGE.split(" · ")
        return JsonResponse({"error": {"code": "invalid", "message_th": th, "message_en": en}}, status=400)
    return HttpResponse(MESSAGE, status=400, content_type="text/plain; charset=utf-8")


def _has_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in data.lists())
