"""One error shape for every API response, with the message in Thai and in English:

    {"error": {"code": "not_found", "message_th": "...", "message_en": "...", "fields": {...}}}
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils import translation
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from services.common.workflow import TransitionNotAllowed

MESSAGES = {
    "not_authenticated": ("ต้องเข้าสู่ระบบหรือแนบโทเคนที่ถูกต้อง", "Authentication credentials were not provided or are invalid."),
    "authentication_failed": ("โทเคนหรือข้อมูลเข้าสู่ระบบไม่ถูกต้อง", "Invalid token or credentials."),
    "permission_denied": ("ไม่มีสิทธิ์ทำรายการนี้", "You do not have permission to perform this action."),
    "not_found": ("ไม่พบข้อมูล", "Not found."),
    "method_not_allowed": ("ไม่รองรับวิธีเรียกนี้", "Method not allowed."),
    "invalid": ("ข้อมูลไม่ถูกต้อง", "The request contains invalid data."),
    "parse_error": ("รูปแบบข้อมูลไม่ถูกต้อง", "Malformed request body."),
    "throttled": ("เรียกใช้บ่อยเกินไป กรุณารอสักครู่", "Too many requests; please wait."),
    "unsupported_media_type": ("ไม่รองรับประเภทข้อมูลนี้", "Unsupported media type."),
    "not_acceptable": ("ไม่สามารถตอบในรูปแบบที่ขอ", "Cannot satisfy the requested format."),
    "transition_not_allowed": ("ไม่สามารถเปลี่ยนสถานะนี้ได้", "This status change is not allowed."),
}


def _text(value) -> str:
    with translation.override("th"):
        th = str(value)
    with translation.override("en"):
        en = str(value)
    return th if th == en else f"{th} ({en})"


def _fields(detail) -> dict | list | str:
    if isinstance(detail, dict):
        return {key: _fields(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_fields(item) for item in detail]
    return _text(detail)


def error_body(code: str, *, fields=None, detail: str | None = None) -> dict:
    th, en = MESSAGES.get(code, MESSAGES["invalid"])
    body = {"code": code, "message_th": th, "message_en": en}
    if detail:
        body["detail"] = detail
    if fields:
        body["fields"] = fields
    return {"error": body}


def guard_refusal(status_code: int, th: str, en: str) -> JsonResponse:
    """A request refused before any view (services/common/request_guard.py), in the API's shape."""
    code = "too_large" if status_code == 413 else "invalid"
    return JsonResponse({"error": {"code": code, "message_th": th, "message_en": en}}, status=status_code)


def bilingual_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, TransitionNotAllowed):
        return Response(error_body("transition_not_allowed", detail=_text(exc)), status=status.HTTP_409_CONFLICT)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body("invalid", fields=_fields(exc.detail))
    else:
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        code = code if isinstance(code, str) else "error"
        response.data = error_body(code, detail=_text(exc.detail) if hasattr(exc, "detail") else None)
    return response
