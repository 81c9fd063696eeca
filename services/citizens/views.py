"""Sign-in with ThaiD / DGA Digital ID, and the town admin's registration page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from services.common.views import backoffice_menu, staff_required

from . import actions, assisted, digital_id
from .forms import AssistedFilingForm, ProviderForm
from .models import AssistedFiling, DigitalIdProvider
from .my_requests import case_step, requests_of


def _town_only(request) -> None:
    if getattr(request, "town", None) is None:
        raise Http404


def _failed(request, error: digital_id.DigitalIdError):
    return render(request, "citizens/sign_in_failed.html", {"message": error.message}, status=error.status)


def _safe_next(request, value: str) -> str:
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()},
                                                 require_https=request.is_secure()):
        return value
    return ""


@require_GET
def start(request, kind: str):
    _town_only(request)
    provider = get_object_or_404(DigitalIdProvider, kind=kind, is_active=True)
    try:
        url = digital_id.begin(request, provider, next_url=_safe_next(request, request.GET.get("next", "")))
    except digital_id.DigitalIdError as error:
        return _failed(request, error)
    return redirect(url)


@require_GET
def callback(request):
    _town_only(request)
    state = request.GET.get("state", "")
    try:
        pending = digital_id.take_pending(request, state)
        if request.GET.get("error"):
            raise digital_id.DigitalIdError(_("ท่านไม่ได้ยืนยันตัวตนกับผู้ให้บริการ (The sign-in was not confirmed "
                                              "at the provider)"), 400)
        code = request.GET.get("code", "")
        if not code or len(code) > 512:
            raise digital_id.DigitalIdError(_("คำตอบจากผู้ให้บริการไม่ครบ (The provider's answer is incomplete)"))
        provider = DigitalIdProvider.objects.filter(pk=pending["provider"], is_active=True).first()
        if provider is None:
            raise digital_id.DigitalIdError(_("ผู้ให้บริการนี้ปิดใช้แล้ว (This provider is no longer enabled)"))
        identity = digital_id.complete(provider, code=code, pending=pending)
        user = actions.sign_in_with_identity(identity, current_user=request.user)
    except digital_id.DigitalIdError as error:
        return _failed(request, error)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, _("ยืนยันตัวตนด้วย %(provider)s แล้ว") % {"provider": provider.button_label})
    return redirect(pending.get("next") or "citizens:my_requests")


def _require_admin(user) -> None:
    if not user.has_perm("citizens.manage_digital_id"):
        raise PermissionDenied


@staff_required
def providers(request):
    _require_admin(request.user)
    return render(request, "citizens/providers.html", {
        "providers": DigitalIdProvider.objects.order_by("kind"), "backoffice_menu": backoffice_menu(request.user),
        "callback": digital_id.redirect_uri(DigitalIdProvider()),
    })


@staff_required
def provider_edit(request, kind: str):
    _require_admin(request.user)
    if kind not in DigitalIdProvider.Kind.values:
        raise Http404
    instance = DigitalIdProvider.objects.filter(kind=kind).first() or DigitalIdProvider(kind=kind)
    form = ProviderForm(request.POST if request.method == "POST" else None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("บันทึกแล้ว"))
        return redirect("citizens:providers")
    return render(request, "citizens/provider_form.html", {
        "form": form, "provider": instance, "backoffice_menu": backoffice_menu(request.user),
    })


@login_required
def my_requests(request):
    _town_only(request)
    if request.user.kind != "citizen":
        raise PermissionDenied
    items = requests_of(request.user)
    return render(request, "citizens/my_requests.html", {
        "page": Paginator(items, 30).get_page(request.GET.get("page")), "count": len(items),
        "awaiting": assisted.awaiting_take_over(request.user),
    })


# --- assisted filing ------------------------------------------------------------------------------

def _service_form(kind: str):
    from services.building_permits.forms import PermitApplicationForm
    from services.food_premises.forms import NotificationForm

    return {"food_notification": NotificationForm, "building_permit": PermitApplicationForm}.get(kind)


def _case_url(case) -> str:
    from .my_requests import CASE_URLS

    return reverse(CASE_URLS[case.kind], args=[case.public_id])


@staff_required
def assisted_list(request):
    if not request.user.has_perm(assisted.PERMISSION):
        raise PermissionDenied
    filings = AssistedFiling.objects.filter(filed_by=request.user).select_related("case", "taken_over_by")[:100]
    return render(request, "citizens/assisted_list.html", {
        "filings": filings, "backoffice_menu": backoffice_menu(request.user),
    })


@staff_required
def assisted_new(request, kind: str):
    if not request.user.has_perm(assisted.PERMISSION):
        raise PermissionDenied
    form_class = _service_form(kind)
    if form_class is None:
        raise Http404
    post = request.POST if request.method == "POST" else None
    initial = {"operator_type": "person", "seats": 0, "staff_count": 1, "applicant_is_owner": True,
               "plan_source": "standard"}
    form, how = form_class(post, initial=initial), AssistedFilingForm(post)
    if post is not None and form.is_valid() and how.is_valid():
        try:
            case, _token = assisted.file_on_behalf(
                kind=kind, by=request.user, data=form.action_data(), channel=how.cleaned_data["channel"],
                identity_check=how.cleaned_data["identity_check"],
                consent_in_person=how.cleaned_data["consent_in_person"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                target = form if field in form.fields else how
                target.add_error(field if field in target.fields else None, errors)
        else:
            messages.success(request, _("บันทึกแล้ว ส่งลิงก์ติดตามทาง SMS ถึงผู้ยื่นแล้ว ขั้นต่อไป: แนบเอกสารและยื่น"))
            return redirect(_case_url(case))
    from services.casework.views import map_context

    return render(request, "citizens/assisted_form.html", {
        "form": form, "how": how, "kind": kind, "backoffice_menu": backoffice_menu(request.user),
        **map_context(request),
    })


def assisted_track(request, token: str):
    """The link texted to the applicant: the case's progress, and taking it over once signed in."""
    _town_only(request)
    filing = assisted.filing_by_token(token)
    if filing is None:
        raise Http404
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('accounts:login')}?next={request.path}")
        try:
            case = assisted.take_over(filing_id=filing.pk, user=request.user, token=token)
        except (PermissionDenied, ValidationError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            return redirect(request.path)
        messages.success(request, _("รับเรื่องไปดูแลเองแล้ว"))
        return redirect(_case_url(case))
    case = filing.case
    step, due = case_step(case)
    return render(request, "citizens/assisted_track.html", {
        "filing": filing, "case": case, "next_step": step, "due": due,
    })


@login_required
@require_POST
def assisted_take_over(request, filing_id: int):
    """Take over from "my requests": the person's digital-ID-verified national ID is the proof."""
    _town_only(request)
    filing = get_object_or_404(assisted.awaiting_take_over(request.user), pk=filing_id)
    try:
        case = assisted.take_over(filing_id=filing.pk, user=request.user)
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("citizens:my_requests")
    messages.success(request, _("รับเรื่องไปดูแลเองแล้ว"))
    return redirect(_case_url(case))
