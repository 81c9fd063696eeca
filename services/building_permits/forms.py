"""The permit application form (แบบ ข.1, online): fields and widgets; the rules live in actions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import BuildingUse, DeedType, PlanSource, StandardHousePlan


class PermitApplicationForm(forms.Form):
    applicant_name = forms.CharField(label=_("ชื่อ-นามสกุลผู้ยื่นคำขอ"), max_length=200)
    applicant_national_id = forms.CharField(
        label=_("เลขประจำตัวประชาชน 13 หลัก"),
        max_length=17,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    applicant_phone = forms.CharField(
        label=_("โทรศัพท์มือถือ"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    applicant_email = forms.EmailField(label=_("อีเมล"), required=False)
    applicant_is_owner = forms.BooleanField(label=_("ข้าพเจ้าเป็นเจ้าของที่ดิน"), required=False, initial=True)
    owner_name = forms.CharField(label=_("ชื่อเจ้าของที่ดิน (ถ้าไม่ใช่ผู้ยื่น)"), max_length=200, required=False)
    owner_national_id = forms.CharField(
        label=_("เลขประจำตัวประชาชนเจ้าของที่ดิน"),
        max_length=17,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    deed_type = forms.ChoiceField(label=_("ประเภทเอกสารสิทธิ์ที่ดิน"), choices=DeedType.choices)
    deed_number = forms.CharField(label=_("เลขที่เอกสารสิทธิ์"), max_length=30)
    parcel_number = forms.CharField(label=_("เลขที่ดิน"), max_length=30)
    survey_page = forms.CharField(label=_("หน้าสำรวจ"), max_length=30, required=False)
    address = forms.CharField(
        label=_("ที่ตั้งอาคาร (บ้านเลขที่/หมู่/ซอย/ถนน)"), widget=forms.Textarea(attrs={"rows": 2})
    )
    latitude = forms.DecimalField(label=_("ละติจูด"), max_digits=9, decimal_places=6)
    longitude = forms.DecimalField(label=_("ลองจิจูด"), max_digits=9, decimal_places=6)
    building_use = forms.ChoiceField(label=_("ใช้อาคารเพื่อ"), choices=BuildingUse.choices)
    # Not required here: with a standard plan the building is the plan (its floors, height and area
    # are taken from it); with own plans clean_application() asks for each one.
    floors = forms.IntegerField(
        label=_("จำนวนชั้น"), min_value=1, max_value=10, required=False,
        help_text=_("ไม่ต้องกรอกเมื่อใช้แบบบ้านมาตรฐาน (not needed with a standard plan)"),
    )
    height_m = forms.DecimalField(
        label=_("ความสูงอาคาร (เมตร)"), max_digits=5, decimal_places=2, required=False,
        help_text=_("ไม่ต้องกรอกเมื่อใช้แบบบ้านมาตรฐาน (not needed with a standard plan)"),
    )
    floor_area_m2 = forms.DecimalField(
        label=_("พื้นที่อาคารรวมทุกชั้น (ตร.ม.) ไม่เกิน 150"), max_digits=7, decimal_places=2, required=False,
        help_text=_("ไม่ต้องกรอกเมื่อใช้แบบบ้านมาตรฐาน (not needed with a standard plan)"),
    )
    plan_source = forms.ChoiceField(label=_("แบบแปลน"), choices=PlanSource.choices, widget=forms.RadioSelect)
    standard_plan = forms.ModelChoiceField(
        label=_("แบบบ้านมาตรฐาน"), required=False, queryset=StandardHousePlan.objects.filter(is_active=True)
    )
    engineer_name = forms.CharField(label=_("วิศวกรผู้ออกแบบ"), max_length=200, required=False)
    engineer_licence = forms.CharField(label=_("เลขทะเบียน กว."), max_length=30, required=False)
    architect_name = forms.CharField(label=_("สถาปนิกผู้ออกแบบ"), max_length=200, required=False)
    architect_licence = forms.CharField(label=_("เลขทะเบียน ส."), max_length=30, required=False)

    def action_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["standard_plan"] = str(data["standard_plan"].pk) if data.get("standard_plan") else ""
        return data


class PermitRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("ประเภทคำขอ"), choices=[("extension", _("ขอต่ออายุใบอนุญาต")), ("transfer", _("ขอโอนใบอนุญาต"))]
    )
    reason = forms.CharField(label=_("เหตุผล"), widget=forms.Textarea(attrs={"rows": 2}))
    new_holder_name = forms.CharField(label=_("ชื่อผู้รับโอน"), required=False)
    new_holder_national_id = forms.CharField(label=_("เลขประจำตัวประชาชนผู้รับโอน"), required=False)
