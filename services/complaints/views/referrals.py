"""Staff pages of referral: refer a case to another town or to an outside agency, decline a case
referred to us, record the agency's result or take the case back, and the agency directory."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from services.common.views import staff_required

from .. import referrals
from ..models import ReferralAgency
from .backoffice import form_data_or_error, need_permission, run_on_case, staff_page


class ReferTownForm(forms.Form):
    town_code = forms.CharField(label=gettext_lazy("หน่วยงานปลายทาง"), max_length=20, required=False)
    other_town_code = forms.CharField(max_length=20, required=False)
    reason = forms.CharField(label=gettext_lazy("เหตุผล"), max_length=1000)
    share_contact = forms.BooleanField(required=False)


class ReferAgencyForm(forms.Form):
    agency = forms.IntegerField(label=gettext_lazy("หน่วยงาน"), min_value=1, max_value=2**31 - 1)
    reason = forms.CharField(label=gettext_lazy("เหตุผล"), max_length=1000)
    agency_reference = forms.CharField(label=gettext_lazy("เลขที่อ้างอิง"), max_length=100, required=False)
    follow_up_on = forms.DateField(label=gettext_lazy("วันที่ติดตาม"), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("เหตุผล"), max_length=1000)


class ResultForm(forms.Form):
    result = forms.CharField(label=gettext_lazy("ผลการดำเนินการ"), max_length=2000)
    photo_exception_reason = forms.CharField(required=False, max_length=500)


class ReferralAgencyForm(forms.ModelForm):
    class Meta:
        model = ReferralAgency
        fields = ["name_th", "name_en", "kind", "contact_name", "phone", "email", "notes", "is_active"]


@staff_required
@require_POST
def refer_town(request, pk: int):
    def go(c):
        data = form_data_or_error(ReferTownForm(request.POST))
        referrals.refer_to_town(
            complaint_id=c.pk,
            by=request.user,
            town_code=data["other_town_code"].strip() or data["town_code"],
            reason=data["reason"],
            share_contact=data["share_contact"],
        )

    return run_on_case(request, pk, go)


@staff_required
@require_POST
def refer_agency(request, pk: int):
    def go(c):
        data = form_data_or_error(ReferAgencyForm(request.POST))
        referrals.refer_to_agency(
            complaint_id=c.pk,
            by=request.user,
            agency_id=data["agency"],
            reason=data["reason"],
            agency_reference=data["agency_reference"],
            follow_up_on=data["follow_up_on"],
        )

    return run_on_case(request, pk, go)


@staff_required
@require_POST
def decline(request, pk: int):
    def go(c):
        data = form_data_or_error(ReasonForm(request.POST))
        referrals.decline_referral(complaint_id=c.pk, by=request.user, reason=data["reason"])

    return run_on_case(request, pk, go)


@staff_required
@require_POST
def agency_result(request, pk: int):
    def go(c):
        data = form_data_or_error(ResultForm(request.POST))
        referrals.record_agency_result(
            complaint_id=c.pk,
            by=request.user,
            result=data["result"],
            after_photos=request.FILES.getlist("photos"),
            photo_exception_reason=data["photo_exception_reason"],
        )

    return run_on_case(request, pk, go)


@staff_required
@require_POST
def take_back(request, pk: int):
    def go(c):
        data = form_data_or_error(ReasonForm(request.POST))
        referrals.take_back_referral(complaint_id=c.pk, by=request.user, reason=data["reason"])

    return run_on_case(request, pk, go)


@staff_required
def agencies(request, pk: int | None = None):
    """The town's directory of outside agencies (OSS settings)."""
    need_permission(request, "complaints.manage_oss_settings")
    agency = get_object_or_404(ReferralAgency, pk=pk) if pk else None
    form = ReferralAgencyForm(request.POST or None, instance=agency)
    if request.method == "POST" and form.is_valid():
        referrals.save_agency(by=request.user, data=form.cleaned_data, agency_id=agency.pk if agency else None)
        messages.success(request, _("บันทึกแล้ว (Saved)"))
        return redirect("complaints:referral_agencies")
    return staff_page(
        request,
        "complaints/staff/referral_agencies.html",
        {"form": form, "agency": agency, "agencies": ReferralAgency.objects.all()},
        status=400 if request.method == "POST" else 200,
    )
