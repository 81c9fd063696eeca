"""The public board (map + list of a town's opted-in complaints, no personal data) and "me too"
(ฉันก็เจอปัญหานี้) by a signed-in citizen or a phone verified with a one-time code by SMS."""

from __future__ import annotations

import time

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from services.accounts.models import User
from services.common import phone_verification
from services.common.files.views import file_response
from services.common.thai_phone import normalize_thai_phone

from .. import board, rate_limit
from ..models import OssSettings
from ..workflow import OPEN_STATUSES

OTP_PURPOSE = "oss-support"
VERIFIED_SESSION_KEY = "oss_board_verified_phone"
VERIFIED_SECONDS = 3600
CODES_PER_PHONE_PER_HOUR = 5
PAGE_SIZE = 20


class MeTooForm(forms.Form):
    phone = forms.CharField(label=gettext_lazy("เบอร์โทรศัพท์มือถือ"), max_length=20, required=False)
    code = forms.CharField(label=gettext_lazy("รหัสยืนยัน 6 หลักจาก SMS"), max_length=10, required=False)


def _board_on() -> None:
    if not board.board_enabled():
        raise Http404


def _case_or_404(pk: int):
    if pk >= 2**63:  # beyond a bigint: no such row, and the database would refuse the query
        raise Http404
    try:
        return board.board_case(pk)
    except board.NotOnBoard as exc:
        raise Http404 from exc


def _citizen(request) -> User | None:
    user = request.user
    if user.is_authenticated and user.is_active and user.kind == User.Kind.CITIZEN:
        return user
    return None


def _verified_phone(request) -> str:
    data = request.session.get(VERIFIED_SESSION_KEY) or {}
    if not isinstance(data, dict) or time.time() - float(data.get("at", 0)) > VERIFIED_SECONDS:
        return ""
    return normalize_thai_phone(str(data.get("phone", "")))


@require_GET
def board_page(request):
    _board_on()
    filters = board.BoardFilter.from_params(request.GET)
    page = Paginator(board.board_list(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    for case in page:
        case.age = board.age_days(case)
        case.public_photos = board.public_photos(case)
    return render(
        request,
        "complaints/board.html",
        {
            "page": page,
            "filters": filters,
            "categories": board.board_categories(),
            "communities": board.board_communities(),
            "boundary": request.town.boundary,
            "feed_query": request.GET.urlencode(),
        },
    )


@require_GET
def board_geojson(request):
    _board_on()
    data = board.geojson(board.BoardFilter.from_params(request.GET), language=translation.get_language() or "th")
    response = JsonResponse(data)
    response["Cache-Control"] = f"public, max-age={board.GEOJSON_CACHE_SECONDS}"
    response["Vary"] = "Host, Cookie, Accept-Language"
    return response


def _case_page(request, case, *, form=None, code_sent=False, status=200):
    case.age = board.age_days(case)
    case.public_photos = board.public_photos(case)
    return render(
        request,
        "complaints/board_case.html",
        {
            "case": case,
            "can_support": case.status in OPEN_STATUSES,
            "citizen": _citizen(request),
            "verified_phone": _verified_phone(request),
            "form": form or MeTooForm(),
            "code_sent": code_sent,
        },
        status=status,
    )


@require_GET
def board_case(request, pk: int):
    _board_on()
    return _case_page(request, _case_or_404(pk))


def _prove_phone(request, form: MeTooForm, case, ip: str):
    """A visitor without an account proves a phone: first POST texts a code, the second checks it.
    Returns (phone, None) once proved, else ("", the page to answer with)."""
    if not form.is_valid():
        return "", _case_page(request, case, form=form, status=400)
    phone = normalize_thai_phone(form.cleaned_data["phone"])
    if not phone:
        form.add_error("phone", _("หมายเลขโทรศัพท์ไม่ถูกต้อง (Not a valid Thai phone number)"))
        return "", _case_page(request, case, form=form, status=400)
    code = form.cleaned_data["code"].strip()
    if not code:
        limits = OssSettings.current()
        if not (
            rate_limit.hit("support-otp-ip", ip, limit=limits.supports_per_ip_per_hour, window_seconds=3600)
            and rate_limit.hit("support-otp-phone", phone, limit=CODES_PER_PHONE_PER_HOUR, window_seconds=3600)
        ):
            form.add_error(None, board.SupportRateLimited.message)
            return "", _case_page(request, case, form=form, status=429)
        phone_verification.send_code(phone=phone, purpose=OTP_PURPOSE)
        return "", _case_page(request, case, form=MeTooForm(initial={"phone": phone}), code_sent=True)
    result = phone_verification.check_code(phone=phone, purpose=OTP_PURPOSE, code=code)
    if result is not phone_verification.Check.OK:
        form.add_error(
            "code",
            _("รหัสไม่ถูกต้อง กรุณาลองอีกครั้ง (Wrong code; try again)")
            if result is phone_verification.Check.WRONG
            else _("รหัสหมดอายุหรือใช้ไม่ได้แล้ว กรุณาขอรหัสใหม่ (The code has expired; ask for a new one)"),
        )
        return "", _case_page(request, case, form=form, code_sent=True, status=400)
    request.session[VERIFIED_SESSION_KEY] = {"phone": phone, "at": time.time()}
    return phone, None


@require_POST
def me_too(request, pk: int):
    _board_on()
    case = _case_or_404(pk)
    form = MeTooForm(request.POST)
    if case.status not in OPEN_STATUSES:
        form.add_error(None, board.CaseClosed.message)
        return _case_page(request, case, form=form, status=409)
    user = _citizen(request)
    phone = "" if user else _verified_phone(request)
    ip = rate_limit.client_ip(request)
    if user is None and not phone:
        phone, refusal = _prove_phone(request, form, case, ip)
        if refusal is not None:
            return refusal
    try:
        _case, added = board.support_complaint(complaint_id=case.pk, user=user, phone=phone, ip=ip)
    except board.NotOnBoard as exc:
        raise Http404 from exc
    except board.CaseClosed:
        form.add_error(None, board.CaseClosed.message)
        return _case_page(request, case, form=form, status=409)
    except board.SupportRateLimited:
        form.add_error(None, board.SupportRateLimited.message)
        return _case_page(request, case, form=form, status=429)
    except ValidationError as exc:
        form.add_error(None, exc.messages)
        return _case_page(request, case, form=form, status=400)
    if added:
        messages.success(
            request,
            _("ขอบคุณ เราบันทึกว่าท่านพบปัญหานี้ด้วยแล้ว และจะแจ้งความคืบหน้าให้ทราบ (Thank you; you will hear of progress)"),
        )
    else:
        messages.info(request, _("ท่านได้แจ้งว่าพบปัญหานี้ไว้แล้ว (You already supported this)"))
    return redirect("complaints:board_case", case.pk)


@require_GET
def board_photo(request, public_id):
    """An "after" photo of a resolved board case; report photos are never served here."""
    _board_on()
    item = board.board_photo(public_id)
    if item is None:
        raise Http404
    return file_response(item.file, cache_control="public, max-age=3600", content_type="image/jpeg")


@require_http_methods(["GET", "POST"])
def board_stop(request, token: str):
    """Stop progress messages for one "me too" (the link in every message); works with the board off."""
    supporter = board.supporter_for_stop_token(token)
    if supporter is None:
        raise Http404
    if request.method == "POST":
        board.stop_notifications(token=token)
        return render(request, "complaints/board_stop.html", {"stopped": True})
    return render(request, "complaints/board_stop.html", {"stopped": not supporter.notify})
