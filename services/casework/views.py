"""Pages of the shared journey, used by each service's urls.py with its case type.

Citizens: my requests, one case (checklist uploads, submit, timeline, fee, certificate).
Staff: work list and case page with the steps their role allows. Public: register and verification.
Views parse, authorise, call one action or selector, and render.
"""

from __future__ import annotations

import datetime as dt

from auditlog.signals import accessed
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from services.common import signing
from services.common.files.views import file_response
from services.common.next_steps import next_steps
from services.common.params import query_param
from services.common.views import backoffice_menu, staff_required
from services.common.workflow import TransitionNotAllowed, allowed_targets, can_move

from . import actions, selectors
from .billing import invoice_url
from .models import Case, CaseDocument, CaseFee, CaseStatus, Certificate, Inspection
from .registry import CaseType, case_type_for


def _errors(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [f"{message}" for messages_ in error.message_dict.values() for message in messages_]
    return list(error.messages)


def flash_errors(request, error: ValidationError) -> None:
    for message in _errors(error):
        messages.error(request, message)


# --- Citizens ----------------------------------------------------------------------------------


@login_required
def my_cases(request, *, kind: str):
    case_type = case_type_for(kind)
    page = Paginator(selectors.cases_for_applicant(user=request.user, kind=kind), 20).get_page(
        request.GET.get("page")
    )
    return render(request, "casework/my_cases.html", {"case_type": case_type, "page": page})


def _fees_with_links(case) -> list[dict]:
    return [
        {"fee": fee, "pay_url": invoice_url(fee) if fee.status == CaseFee.Status.DUE else None}
        for fee in case.fees.all()
    ]


@login_required
def my_case(request, public_id, *, kind: str):
    case_type = case_type_for(kind)
    case = selectors.case_for_applicant(user=request.user, public_id=public_id, kind=kind)
    certificate = Certificate.objects.filter(case=case).first()
    return render(
        request,
        "casework/my_case.html",
        {
            "case_type": case_type,
            "case": case,
            "detail": getattr(case, case_type.detail_name, None),
            "checklist": selectors.checklist(case),
            "events": case.events.filter(is_public=True),
            "next_steps": _next_steps(case, case_type, request.user),
            "deficiencies": case.deficiencies.all(),
            "fees": _fees_with_links(case),
            "certificate": certificate,
            "editable": case.status in (CaseStatus.DRAFT, CaseStatus.RETURNED),
            "missing": actions.missing_requirements(case)
            if case.status in (CaseStatus.DRAFT, CaseStatus.RETURNED)
            else [],
            "detail_template": f"{case_type.app_label}/_detail.html",
            "extra_template": f"{case_type.app_label}/_holder_requests.html",
        },
    )


@login_required
@require_POST
def upload_document(request, public_id, *, kind: str):
    case = selectors.case_for_applicant(user=request.user, public_id=public_id, kind=kind)
    upload = request.FILES.get("file")
    requirement = request.POST.get("requirement")
    if upload is None:
        messages.error(request, _("กรุณาเลือกไฟล์ (Choose a file)"))
    else:
        try:
            actions.attach_document(
                case_id=case.pk,
                requirement_id=int(requirement) if requirement else None,
                upload=upload,
                by=request.user,
            )
            messages.success(request, _("แนบเอกสารแล้ว (Document attached)"))
        except ValidationError as error:
            flash_errors(request, error)
    return redirect(f"{case_type_for(kind).app_label}:my_case", public_id=case.public_id)


@login_required
@require_POST
def submit(request, public_id, *, kind: str):
    case = selectors.case_for_applicant(user=request.user, public_id=public_id, kind=kind)
    try:
        actions.submit_case(case_id=case.pk, by=request.user, reply=request.POST.get("reply", ""))
        messages.success(request, _("ยื่นเรื่องแล้ว (Submitted)"))
    except (ValidationError, TransitionNotAllowed) as error:
        flash_errors(request, error) if isinstance(error, ValidationError) else messages.error(
            request, str(error)
        )
    return redirect(f"{case_type_for(kind).app_label}:my_case", public_id=case.public_id)


@login_required
@require_POST
def withdraw(request, public_id, *, kind: str):
    case = selectors.case_for_applicant(user=request.user, public_id=public_id, kind=kind)
    try:
        actions.withdraw_case(case_id=case.pk, by=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("ถอนคำขอแล้ว (Withdrawn)"))
    except TransitionNotAllowed as error:
        messages.error(request, str(error))
    return redirect(f"{case_type_for(kind).app_label}:my_case", public_id=case.public_id)


def _may_see_case(request, case) -> bool:
    return case.applicant_id == request.user.pk or selectors.may_view_cases(request.user, case.kind)


@login_required
def document(request, public_id, document_id: int, *, kind: str):
    """A case document, for its applicant and for staff of the service (never public)."""
    doc = (
        CaseDocument.objects.select_related("case", "file")
        .filter(pk=document_id, case__public_id=public_id, case__kind=kind)
        .first()
    )
    if doc is None or not _may_see_case(request, doc.case):
        raise Http404
    return _file_response(doc.file)


@login_required
def inspection_photo(request, public_id, inspection_id: int, file_id, *, kind: str):
    inspection = (
        Inspection.objects.select_related("case")
        .filter(pk=inspection_id, case__public_id=public_id, case__kind=kind)
        .first()
    )
    if inspection is None or not selectors.may_view_cases(request.user, kind):
        raise Http404
    photo = inspection.photos.filter(public_id=file_id).first()
    if photo is None:
        raise Http404
    return _file_response(photo)


def _file_response(stored):
    return file_response(stored, cache_control="private, no-store", filename=stored.original_name)


@login_required
def certificate_pdf(request, public_id, *, kind: str):
    certificate = (
        Certificate.objects.select_related("case", "pdf").filter(case__public_id=public_id, kind=kind).first()
    )
    if certificate is None or certificate.pdf is None or not _may_see_case(request, certificate.case):
        raise Http404
    return _file_response(certificate.pdf)


# --- Staff -------------------------------------------------------------------------------------


@staff_required
def staff_list(request, *, kind: str):
    case_type = case_type_for(kind)
    status = query_param(request.GET, "status")
    status = status if status in CaseStatus.values else ""
    cases = selectors.cases_for_staff(
        user=request.user,
        kind=kind,
        status=status,
        query=query_param(request.GET, "q"),
        overdue_only=request.GET.get("overdue") == "1",
    )
    return render(
        request,
        "casework/staff_list.html",
        {
            "case_type": case_type,
            "page": Paginator(cases, 30).get_page(request.GET.get("page")),
            "statuses": [s for s in CaseStatus if s != CaseStatus.DRAFT],
            "status": status,
            "backoffice_menu": backoffice_menu(request.user),
        },
    )


STAFF_STEPS = {
    # action name → (target status, template block) ; see staff_case.html
    "accept": CaseStatus.ACCEPTED,
    "return": CaseStatus.RETURNED,
    "inspect": CaseStatus.INSPECTED,
    "review": CaseStatus.REVIEWED,
    "approve": CaseStatus.APPROVED,
    "refuse": CaseStatus.REFUSED,
}


def _next_steps(case, case_type, user):
    """Who acts next (services/common/next_steps.py): every case page names the step and its role."""
    applicant = _("ผู้ยื่นคำขอ (the applicant)")
    return next_steps(
        current=case.status,
        transitions=case_type.transitions,
        labels=lambda status: CaseStatus(status).label,
        user=user,
        unpermissioned={
            CaseStatus.SUBMITTED: applicant,
            CaseStatus.WITHDRAWN: applicant,
            CaseStatus.ISSUED: _("ระบบออกให้เมื่อผู้ยื่นชำระค่าธรรมเนียมแล้ว (the system, once the fee is paid)"),
        },
    )


@staff_required
def staff_case(request, public_id, *, kind: str):
    case_type = case_type_for(kind)
    case = selectors.case_for_staff(user=request.user, public_id=public_id, kind=kind)
    # PDPA: every staff view of an application with the applicant's personal data is logged, as for complaints
    accessed.send(sender=Case, instance=case)
    targets = allowed_targets(case.status, case_type.transitions)
    steps = {
        name: True
        for name, target in STAFF_STEPS.items()
        if target in targets
        and can_move(case.status, target, by=request.user, transitions=case_type.transitions)
    }
    certificate = Certificate.objects.filter(case=case).first()
    return render(
        request,
        "casework/staff_case.html",
        {
            "case_type": case_type,
            "case": case,
            "detail": getattr(case, case_type.detail_name, None),
            "checklist": selectors.checklist(case),
            "events": case.events.select_related("actor"),
            "deficiencies": case.deficiencies.all(),
            "inspections": case.inspections.prefetch_related("photos"),
            "fees": _fees_with_links(case),
            "certificate": certificate,
            "steps": steps,
            "next_steps": _next_steps(case, case_type, request.user),
            "may_extend": request.user.has_perm(f"{case_type.app_label}.extend_deadline")
            and case_type.max_extensions
            and case.due_date
            and case.extensions_used < case_type.max_extensions
            and case.status != CaseStatus.APPROVED,
            "may_revoke": certificate
            and certificate.status != Certificate.Status.REVOKED
            and request.user.has_perm(f"{case_type.app_label}.revoke_certificate"),
            "may_record_payment": request.user.has_perm("casework.record_counter_payment"),
            "inspection_results": Inspection.Result.choices,
            "inspection_items": _inspection_items(kind),
            "detail_template": f"{case_type.app_label}/_detail.html",
            "extra_template": f"{case_type.app_label}/_staff_extra.html",
            "backoffice_menu": backoffice_menu(request.user),
        },
    )


def _inspection_items(kind: str) -> list[tuple[str, str]]:
    if kind == "food_notification":
        from django.apps import apps

        Item = apps.get_model("food_premises", "HygieneChecklistItem")
        return list(Item.objects.filter(is_active=True).values_list("code", "title_th"))
    return []


@staff_required
@require_POST
def staff_act(request, public_id, action: str, *, kind: str):
    """One staff step on a case; every rule (role, status, legal reason) is checked by the action."""
    case_type = case_type_for(kind)
    case = selectors.case_for_staff(user=request.user, public_id=public_id, kind=kind)
    post = request.POST
    try:
        if action == "accept":
            actions.accept_case(case_id=case.pk, by=request.user, note=post.get("note", ""))
        elif action == "return":
            items = [{"requirement": code, "text": ""} for code in post.getlist("missing")]
            items += [{"text": line} for line in post.get("items", "").splitlines() if line.strip()]
            actions.return_for_fixes(case_id=case.pk, by=request.user, items=items, note=post.get("note", ""))
        elif action == "inspect":
            inspected_on = dt.date.fromisoformat(post["inspected_on"]) if post.get("inspected_on") else None
            checklist = [
                {"code": code, "title": title, "ok": post.get(f"check_{code}") == "on"}
                for code, title in _inspection_items(kind)
            ]
            actions.record_inspection(
                case_id=case.pk,
                by=request.user,
                result=post.get("result", ""),
                notes=post.get("notes", ""),
                inspected_on=inspected_on,
                checklist=checklist,
                photos=request.FILES.getlist("photos"),
            )
        elif action == "review":
            actions.record_technical_review(case_id=case.pk, by=request.user, note=post.get("note", ""))
        elif action == "approve":
            actions.approve_case(case_id=case.pk, by=request.user, note=post.get("note", ""))
        elif action == "refuse":
            actions.refuse_case(case_id=case.pk, by=request.user, reason=post.get("reason", ""))
        elif action == "extend":
            actions.extend_deadline(case_id=case.pk, by=request.user, reason=post.get("reason", ""))
        elif action == "revoke":
            actions.revoke_certificate(
                certificate_id=case.certificate.pk, by=request.user, reason=post.get("reason", "")
            )
        elif action == "counter_payment":
            actions.record_counter_payment(
                fee_public_id=post.get("fee", ""), by=request.user, receipt_reference=post.get("receipt", "")
            )
        else:
            raise Http404
        messages.success(request, _("บันทึกแล้ว (Saved)"))
    except ValidationError as error:
        flash_errors(request, error)
    except (TransitionNotAllowed, ValueError) as error:
        messages.error(request, str(error))
    except CaseFee.DoesNotExist:
        messages.error(request, _("ไม่พบค่าธรรมเนียม (Fee not found)"))
    return redirect(f"{case_type.app_label}:staff_case", public_id=case.public_id)


# --- Public ------------------------------------------------------------------------------------


def register(request, *, kind: str):
    case_type = case_type_for(kind)
    query = query_param(request.GET, "q")
    page = Paginator(selectors.public_register(kind=kind, query=query), 30).get_page(request.GET.get("page"))
    return render(request, "casework/register.html", {"case_type": case_type, "page": page, "query": query})


def verify(request, token: str, *, kind: str):
    case_type = case_type_for(kind)
    certificate = selectors.certificate_by_token(kind=kind, token=token)
    return render(
        request,
        "casework/verify.html",
        {
            "case_type": case_type,
            "certificate": certificate,
            "state": selectors.verification_state(certificate),
            "signature": signing.stored_document_status(certificate.pdf),
        },
    )


def portal_context(request, case_type: CaseType) -> dict:
    mine = (
        selectors.cases_for_applicant(user=request.user, kind=case_type.kind)[:5]
        if request.user.is_authenticated
        else []
    )
    return {"case_type": case_type, "mine": mine, "register_url": reverse(f"{case_type.app_label}:register")}


DEFAULT_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


def map_context(request) -> dict:
    """The town boundary for the pin map; tiles from the town's branding setting or OpenStreetMap."""
    import json

    town = request.town
    return {
        "boundary_json": json.dumps(town.boundary) if town and town.boundary else "null",
        "map_tiles": (town.branding or {}).get("map_tiles", DEFAULT_TILES) if town else DEFAULT_TILES,
    }


@staff_required
def service_settings(request, *, kind: str):
    """The town admin's page: settings, dated fee rates and the document checklist of a service."""
    from .forms import DocumentRequirementForm, FeeRateForm, ServiceSettingsForm
    from .models import DocumentRequirement, FeeRate

    if not request.user.has_perm("casework.change_feerate"):
        raise PermissionDenied
    case_type = case_type_for(kind)
    settings_row = actions.settings_for(kind)
    forms_ = {
        "settings": ServiceSettingsForm(instance=settings_row, prefix="s"),
        "rate": FeeRateForm(prefix="r"),
        "requirement": DocumentRequirementForm(prefix="d"),
    }
    if request.method == "POST":
        section = request.POST.get("section")
        try:
            if section == "settings":
                form = forms_["settings"] = ServiceSettingsForm(
                    request.POST, instance=settings_row, prefix="s"
                )
                if form.is_valid():
                    actions.save_service_settings(kind=kind, by=request.user, values=form.cleaned_data)
            elif section == "rate":
                form = forms_["rate"] = FeeRateForm(request.POST, prefix="r")
                if form.is_valid():
                    actions.add_fee_rate(kind=kind, by=request.user, values=form.cleaned_data)
            elif section == "requirement":
                form = forms_["requirement"] = DocumentRequirementForm(request.POST, prefix="d")
                if form.is_valid():
                    actions.save_requirement(kind=kind, by=request.user, values=form.cleaned_data)
            elif section == "toggle":
                actions.set_requirement_active(
                    requirement_id=int(request.POST.get("requirement", 0)),
                    by=request.user,
                    active=request.POST.get("active") == "1",
                )
                form = None
            else:
                raise Http404
        except ValidationError as error:
            flash_errors(request, error)
        except DocumentRequirement.DoesNotExist as exc:
            raise Http404 from exc
        else:
            if form is None or not form.errors:
                messages.success(request, _("บันทึกแล้ว (Saved)"))
                return redirect(f"{case_type.app_label}:settings")
    return render(
        request,
        "casework/settings.html",
        {
            "case_type": case_type,
            "forms": forms_,
            "rates": FeeRate.objects.filter(kind=kind).order_by("fee_code", "-valid_from"),
            "requirements": DocumentRequirement.objects.filter(kind=kind),
            "backoffice_menu": backoffice_menu(request.user),
        },
    )
