"""Forms of the town's own settings for a service: fee rates, document checklist, clocks and periods."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DocumentRequirement, FeeRate, ServiceSettings


class ServiceSettingsForm(forms.ModelForm):
    class Meta:
        model = ServiceSettings
        fields = [
            "certificate_validity_days",
            "fee_period_months",
            "fee_due_days",
            "reminder_days",
            "suspend_after_unpaid_periods",
            "warn_days_before_due",
            "max_upload_mb",
        ]

    def clean_fee_period_months(self):
        months = self.cleaned_data["fee_period_months"]
        if months not in (1, 2, 3, 4, 6, 12):
            raise forms.ValidationError(_("งวดต้องเป็น 1, 2, 3, 4, 6 หรือ 12 เดือน (1, 2, 3, 4, 6 or 12 months)"))
        return months

    def clean_max_upload_mb(self):
        size = self.cleaned_data["max_upload_mb"]
        if not 1 <= size <= 10:
            raise forms.ValidationError(_("1–10 MB"))
        return size


class FeeRateForm(forms.ModelForm):
    valid_from = forms.DateField(label=_("ใช้ตั้งแต่"), widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = FeeRate
        fields = [
            "fee_code",
            "description_th",
            "unit",
            "amount",
            "max_floors",
            "max_height_m",
            "min_area_m2",
            "max_area_m2",
            "valid_from",
            "version",
        ]


class DocumentRequirementForm(forms.ModelForm):
    class Meta:
        model = DocumentRequirement
        fields = ["code", "title_th", "title_en", "help_text", "is_required", "order"]
