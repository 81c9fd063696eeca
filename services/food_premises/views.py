"""Pages of the food premises service; the shared journey's pages are in services.casework.views."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from services.casework import selectors as case_selectors
from services.casework.models import CaseStatus, Certificate
from services.casework.views import flash_errors, map_context, portal_context
from services.common.views import staff_required

from . import actions
from .case_type import FOOD_NOTIFICATION, KIND
from .forms import NotificationForm
from .models import ChangeNotice


def portal(request):
    return render(request, "food_premises/portal.html", portal_context(request, FOOD_NOTIFICATION))


def _form_page(request, *, case=None):
    if case is None:
        initial = {
            "applicant_name": request.user.get_full_name(),
            "applicant_phone": request.user.phone,
            "applicant_email": request.user.email,
            "operator_type": "person",
            "seats": 0,
            "staff_count": 1,
        }
    else:
        detail = case.food_notification
        initial = {
            name: getattr(case, name)
            for name in (
                "applicant_name",
                "applicant_national_id",
                "applicant_phone",
                "applicant_email",
                "address",
                "latitude",
                "longitude",
            )
        }
        initial.update(
            {
                name: getattr(detail, name)
                for name in (
                    "operator_type",
                    "operator_name",
                    "operator_id",
                    "premises_name",
                    "business_kind",
                    "area_m2",
                    "food_types",
                    "seats",
                    "staff_count",
                )
            }
        )
        initial.update({f"hygiene_{row['code']}": row["ok"] for row in detail.hygiene_self_check})
    form = NotificationForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = actions.save_notification_draft(
                by=request.user, data=form.action_data(), case_id=case.pk if case else None
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("บันทึกข้อมูลแล้ว ขั้นต่อไป: แนบเอกสาร (Saved. Next: attach the documents)"))
            return redirect("food_premises:my_case", public_id=saved.public_id)
    return render(request, "food_premises/apply.html", {"form": form, "case": case, **map_context(request)})


@login_required
def apply(request):
    return _form_page(request)


@login_required
def edit(request, public_id):
    case = case_selectors.case_for_applicant(user=request.user, public_id=public_id, kind=KIND)
    if case.status not in (CaseStatus.DRAFT, CaseStatus.RETURNED):
        messages.error(request, _("แก้ไขไม่ได้แล้ว (Can no longer be edited)"))
        return redirect("food_premises:my_case", public_id=case.public_id)
    return _form_page(request, case=case)


@login_required
@require_POST
def holder_request(request, public_id):
    """Change of operator or premises, notified by the certificate holder."""
    case = case_selectors.case_for_applicant(user=request.user, public_id=public_id, kind=KIND)
    certificate = Certificate.objects.filter(case=case).first()
    if certificate is None:
        raise Http404
    post = request.POST
    try:
        actions.request_change(
            certificate_id=certificate.pk,
            by=request.user,
            kind=post.get("kind", ""),
            new_operator_name=post.get("new_operator_name", ""),
            new_operator_id=post.get("new_operator_id", ""),
            new_premises_name=post.get("new_premises_name", ""),
            new_area_m2=post.get("new_area_m2") or None,
            details=post.get("details", ""),
        )
        messages.success(request, _("แจ้งการเปลี่ยนแปลงแล้ว (Change notified)"))
    except ValidationError as error:
        flash_errors(request, error)
    return redirect("food_premises:my_case", public_id=case.public_id)


@staff_required
@require_POST
def decide_change(request, notice_id: int):
    notice = ChangeNotice.objects.select_related("certificate__case").filter(pk=notice_id).first()
    if notice is None:
        raise Http404
    case_selectors.case_for_staff(user=request.user, public_id=notice.certificate.case.public_id, kind=KIND)
    try:
        actions.decide_change(
            notice_id=notice.pk,
            by=request.user,
            approve=request.POST.get("decision") == "approve",
            note=request.POST.get("note", ""),
        )
        messages.success(request, _("บันทึกแล้ว (Saved)"))
    except ValidationError as error:
        flash_errors(request, error)
    return redirect("food_premises:staff_case", public_id=notice.certificate.case.public_id)
