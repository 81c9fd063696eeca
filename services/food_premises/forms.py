"""The food premises notification form; the rules live in actions.clean_notification."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import BusinessKind, HygieneChecklistItem, OperatorType


class NotificationForm(forms.Form):
    applicant_name = forms.CharField(label=_("ชื่อ-นามสกุลผู้แจ้ง"), max_length=200)
    applicant_national_id = forms.CharField(
        label=_("เลขประจำตัวประชาชนผู้แจ้ง 13 หลัก"),
        max_length=17,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    applicant_phone = forms.CharField(
        label=_("โทรศัพท์มือถือ"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    applicant_email = forms.EmailField(label=_("อีเมล"), required=False)
    operator_type = forms.ChoiceField(
        label=_("ผู้ประกอบการเป็น"), choices=OperatorType.choices, widget=forms.RadioSelect
    )
    operator_name = forms.CharField(label=_("ชื่อผู้ประกอบการ (บุคคล/นิติบุคคล)"), max_length=200)
    operator_id = forms.CharField(
        label=_("เลขประจำตัวประชาชน/เลขทะเบียนนิติบุคคล"),
        max_length=17,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    premises_name = forms.CharField(label=_("ชื่อร้าน/สถานประกอบการ"), max_length=200)
    address = forms.CharField(label=_("ที่ตั้ง"), widget=forms.Textarea(attrs={"rows": 2}))
    latitude = forms.DecimalField(label=_("ละติจูด"), max_digits=9, decimal_places=6)
    longitude = forms.DecimalField(label=_("ลองจิจูด"), max_digits=9, decimal_places=6)
    business_kind = forms.ChoiceField(label=_("ประเภทกิจการ"), choices=BusinessKind.choices)
    area_m2 = forms.DecimalField(label=_("พื้นที่ประกอบการ (ตร.ม.) ไม่เกิน 200"), max_digits=7, decimal_places=2)
    food_types = forms.CharField(label=_("ประเภทอาหาร"), widget=forms.Textarea(attrs={"rows": 2}))
    seats = forms.IntegerField(label=_("จำนวนที่นั่ง"), min_value=0, initial=0)
    staff_count = forms.IntegerField(label=_("จำนวนผู้สัมผัสอาหาร/พนักงาน"), min_value=0, initial=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.hygiene_items = list(HygieneChecklistItem.objects.filter(is_active=True))
        for item in self.hygiene_items:
            self.fields[f"hygiene_{item.code}"] = forms.BooleanField(label=item.title_th, required=False)

    def hygiene_fields(self):
        return [self[f"hygiene_{item.code}"] for item in self.hygiene_items]

    def main_fields(self):
        return [field for field in self if not field.name.startswith("hygiene_")]

    def action_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith("hygiene_")}
        data["hygiene_self_check"] = {
            item.code: self.cleaned_data.get(f"hygiene_{item.code}", False) for item in self.hygiene_items
        }
        return data
