from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DigitalIdProvider


class ProviderForm(forms.ModelForm):
    client_secret = forms.CharField(
        label=_("Client secret"), required=False, widget=forms.PasswordInput(render_value=False),
        help_text=_("เว้นว่างไว้เพื่อใช้ค่าเดิม (leave empty to keep the stored secret)"),
    )

    class Meta:
        model = DigitalIdProvider
        fields = ["issuer", "client_id", "client_secret", "redirect_uri", "scope", "national_id_claim", "is_active"]

    def clean_client_secret(self):
        value = self.cleaned_data.get("client_secret") or ""
        return value or (self.instance.client_secret if self.instance.pk else "")

    def clean_scope(self):
        scope = self.cleaned_data["scope"]
        if "openid" not in scope.split():
            raise forms.ValidationError(_("ต้องมี openid (the scope must include openid)"))
        return scope


class AssistedFilingForm(forms.Form):
    """What the filer records about the person, on top of the service's own form."""

    channel = forms.ChoiceField(label=_("ช่องทาง"), choices=[("counter", _("เคาน์เตอร์บริการ")),
                                                            ("bbuddy", _("อาสาสมัคร B-Buddy"))])
    identity_check = forms.ChoiceField(label=_("ตรวจสอบตัวตนโดย"), choices=[
        ("id_card", _("ตรวจบัตรประจำตัวประชาชนตัวจริง")), ("card_reader", _("อ่านบัตรด้วยเครื่องอ่านบัตร"))])
    consent_in_person = forms.BooleanField(
        label=_("ผู้ยื่นรับทราบประกาศความเป็นส่วนตัวและยินยอมให้ยื่นแทนด้วยตนเอง"), required=False)
