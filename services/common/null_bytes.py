"""Refuse NUL characters in query strings and form fields with a clear 400.

PostgreSQL cannot store U+0000 in text; left alone, one NUL in any parameter becomes a database
error (a 500) in whichever view first uses it. Checked once here for every view."""

from __future__ import annotations

from django.http import HttpResponse

MESSAGE = "ข้อมูลมีอักขระที่ไม่อนุญาต (NUL) · The request contains a forbidden character (NUL)."


class RejectNullBytesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request.GET) or (
            request.method == "POST" and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data")
            and _has_nul(request.POST)
        ):
            return HttpResponse(MESSAGE, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def _has_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in data.lists())
