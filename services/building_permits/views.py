"""Pages of the building permit service; the shared journey's pages are in services.casework.views."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from services.casework import selectors as case_selectors
from services.casework.models import CaseStatus, Certificate
from services.casework.views import flash_errors, map_context, portal_context
from services.common.views import staff_required

from . import actions
from .case_type import BUILDING_PERMIT, KIND
from .forms import PermitApplicationForm, PermitRequestForm
from .models import PermitRequest


def portal(request):
    return render(request, "building_permits/portal.html", portal_context(request, BUILDING_PERMIT))


def _form_page(request, *, case=None):
    initial = {}
    if case is None:
        initial = {
            "applicant_name": request.user.get_full_name(),
            "applicant_phone": request.user.phone,
            "applicant_email": request.user.email,
            "applicant_is_owner": True,
            "plan_source": "standard",
        }
    else:
        detail = case.building_permit
        initial = {name: getattr(case, name) for name in actions.APPLICANT_FIELDS + actions.CASE_FIELDS}
        initial.update({name: getattr(detail, name) for name in actions.DETAIL_FIELDS})
    form = PermitApplicationForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = actions.save_application_draft(
                by=request.user, data=form.action_data(), case_id=case.pk if case else None
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("บันทึกข้อมูลแล้ว ขั้นต่อไป: แนบเอกสาร (Saved. Next: attach the documents)"))
            return redirect("building_permits:my_case", public_id=saved.public_id)
    return render(
        request, "building_permits/apply.html", {"form": form, "case": case, **map_context(request)}
    )


@login_required
def apply(request):
    return _form_page(request)


@login_required
def edit(request, public_id):
    case = case_selectors.case_for_applicant(user=request.user, public_id=public_id, kind=KIND)
    if case.status not in (CaseStatus.DRAFT, CaseStatus.RETURNED):
        messages.error(request, _("คำขอนี้แก้ไขไม่ได้แล้ว (This application can no longer be edited)"))
        return redirect("building_permits:my_case", public_id=case.public_id)
    return _form_page(request, case=case)


@login_required
@require_POST
def holder_request(request, public_id):
    """Renewal (s.35) or transfer (s.36) request by the permit holder."""
    case = case_selectors.case_for_applicant(user=request.user, public_id=public_id, kind=KIND)
    certificate = Certificate.objects.filter(case=case).first()
    form = PermitRequestForm(request.POST)
    if certificate is None or not form.is_valid():
        messages.error(request, _("ข้อมูลไม่ครบ (Incomplete request)"))
    else:
        try:
            actions.request_permit_change(certificate_id=certificate.pk, by=request.user, **form.cleaned_data)
            messages.success(request, _("ยื่นคำขอแล้ว (Request filed)"))
        except ValidationError as error:
            flash_errors(request, error)
    return redirect("building_permits:my_case", public_id=case.public_id)


@login_required
@require_POST
def supervisor(request, public_id):
    """s.29: the holder names the supervisor and the start and end dates."""
    import datetime as dt

    case = case_selectors.case_for_applicant(user=request.user, public_id=public_id, kind=KIND)
    try:
        actions.notify_supervisor(
            case_id=case.pk,
            by=request.user,
            supervisor_name=request.POST.get("supervisor_name", ""),
            starts_on=dt.date.fromisoformat(request.POST.get("work_starts_on", "")),
            ends_on=dt.date.fromisoformat(request.POST.get("work_ends_on", "")),
        )
        messages.success(request, _("แจ้งแล้ว (Notified)"))
    except ValueError:
        messages.error(request, _("วันที่ไม่ถูกต้อง (Invalid date)"))
    except ValidationError as error:
        flash_errors(request, error)
    return redirect("building_permits:my_case", public_id=case.public_id)


@staff_required
@require_POST
def decide_request(request, request_id: int):
    permit_request = PermitRequest.objects.select_related("certificate__case").filter(pk=request_id).first()
    if permit_request is None:
        from django.http import Http404

        raise Http404
    case_selectors.case_for_staff(
        user=request.user, public_id=permit_request.certificate.case.public_id, kind=KIND
    )
    try:
        actions.decide_permit_request(
            request_id=permit_request.pk,
            by=request.user,
            approve=request.POST.get("decision") == "approve",
            note=request.POST.get("note", ""),
        )
        messages.success(request, _("บันทึกแล้ว (Saved)"))
    except ValidationError as error:
        flash_errors(request, error)
    return redirect("building_permits:staff_case", public_id=permit_request.certificate.case.public_id)
