"""The privacy notice, the citizen's "my data" page, and the staff queue of data-subject requests."""

from __future__ import annotations

import contextlib
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from services.common.views import backoffice_menu, staff_required

from . import actions, export
from .models import ConsentRecord, DataSubjectRequest, PrivacyNotice


def _town_only(request) -> None:
    if getattr(request, "town", None) is None:
        raise Http404


def notice(request):
    _town_only(request)
    return render(request, "privacy/notice.html", {"notice": actions.current_notice(),
                                                   "older": PrivacyNotice.objects.order_by("-version")[1:10]})


def _citizen(request) -> None:
    _town_only(request)
    if request.user.kind != "citizen":
        raise PermissionDenied


def _errors(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


@login_required
def my_data(request):
    _citizen(request)
    return render(request, "privacy/my_data.html", {
        "notice": actions.current_notice(),
        "consents": ConsentRecord.objects.filter(user=request.user),
        "requests": DataSubjectRequest.objects.filter(user=request.user).order_by("-received_at"),
        "plan": actions.erasure_plan(request.user),
    })


@login_required
def download(request, fmt: str):
    _citizen(request)
    if fmt not in ("json", "pdf"):
        raise Http404
    with contextlib.suppress(ValidationError):  # an access request is never "open": nothing to refuse here
        actions.request_right(user=request.user, kind=DataSubjectRequest.Kind.ACCESS)
    if fmt == "json":
        body = json.dumps(export.export_data(request.user), ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    else:
        response = HttpResponse(export.export_pdf(request.user), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="my-data.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def ask(request, kind: str):
    _citizen(request)
    try:
        actions.request_right(user=request.user, kind=kind, details=request.POST.get("details", ""))
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("รับคำขอแล้ว เทศบาลจะตอบภายใน 30 วัน"))
    return redirect("privacy:my_data")


def _require_handler(user) -> None:
    if not user.has_perm("privacy.handle_requests"):
        raise PermissionDenied


@staff_required
def queue(request):
    _require_handler(request.user)
    show_all = request.GET.get("all") == "1"
    rows = DataSubjectRequest.objects.select_related("user", "handled_by")
    rows = rows if show_all else rows.filter(status=DataSubjectRequest.Status.OPEN)
    return render(request, "privacy/queue.html", {
        "rows": rows.order_by("due_date", "pk")[:200], "show_all": show_all,
        "backoffice_menu": backoffice_menu(request.user),
    })


@staff_required
def handle(request, request_id: int):
    _require_handler(request.user)
    found = get_object_or_404(DataSubjectRequest.objects.select_related("user"), pk=request_id)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "erase":
                actions.erase(request_id=found.pk, by=request.user)
            elif action in ("done", "refuse"):
                actions.close_request(request_id=found.pk, by=request.user, outcome=request.POST.get("outcome", ""),
                                      refuse=action == "refuse")
            else:
                raise ValidationError(_("ไม่รู้จักคำสั่ง (Unknown action)"))
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("บันทึกแล้ว"))
            return redirect("privacy:queue")
        found.refresh_from_db()
    plan = actions.erasure_plan(found.user) if found.kind == DataSubjectRequest.Kind.ERASURE and \
        found.status == DataSubjectRequest.Status.OPEN else None
    return render(request, "privacy/handle.html", {
        "req": found, "plan": plan, "backoffice_menu": backoffice_menu(request.user),
    })


@staff_required
def edit_notice(request):
    if not request.user.has_perm("privacy.edit_notice"):
        raise PermissionDenied
    current = actions.current_notice()
    if request.method == "POST":
        try:
            actions.publish_notice(by=request.user, body_th=request.POST.get("body_th", ""),
                                   body_en=request.POST.get("body_en", ""))
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("ประกาศฉบับใหม่แล้ว"))
            return redirect("privacy:edit_notice")
    return render(request, "privacy/edit_notice.html", {"notice": current,
                                                        "backoffice_menu": backoffice_menu(request.user)})


@staff_required
def retention(request):
    """How long each kind of record keeps its personal data: the town admin's setting, with the
    daily run's last result."""
    if not request.user.has_perm("privacy.set_retention"):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        try:
            rule = actions.set_retention_years(by=request.user, record_type=request.POST.get("record_type", ""),
                                               years=request.POST.get("years", ""))
        except ValidationError as error:
            _errors(request, error)
            status = 400
        else:
            messages.success(request, _("บันทึกระยะเวลาเก็บแล้ว: %(kind)s %(years)s ปี")
                             % {"kind": rule.get_record_type_display(), "years": rule.years})
            return redirect("privacy:retention")
    low, high = actions.RETENTION_YEARS_RANGE
    return render(request, "privacy/retention.html", {
        "rules": actions.retention_rules(), "low": low, "high": high,
        "backoffice_menu": backoffice_menu(request.user),
    }, status=status)
