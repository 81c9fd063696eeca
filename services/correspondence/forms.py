"""Forms of the e-Saraban back-office pages (Thai labels first)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from services.accounts.models import Department, User
from services.common.models import SigningSettings

from .models import DocumentForm, LetterKind, LetterTemplate, SarabanSettings, Secrecy, Urgency


def staff_users():
    return User.objects.filter(kind=User.Kind.STAFF, is_active=True).order_by("first_name", "username")


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.display_name}{f' — {obj.position}' if obj.position else ''}"


class StaffMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.display_name}{f' — {obj.position}' if obj.position else ''}"


class DraftLetterForm(forms.Form):
    kind = forms.ChoiceField(label=_("ชนิดหนังสือ"), choices=LetterKind.choices, initial=LetterKind.EXTERNAL)
    form = forms.ChoiceField(
        label=_("แบบหนังสือ"),
        choices=[("", _("ตามชนิดหนังสือ")), *DocumentForm.choices],
        required=False,
        help_text=_("หนังสือสั่งการ: คำสั่ง ระเบียบ ข้อบังคับ · หนังสือประชาสัมพันธ์: ประกาศ แถลงการณ์ ข่าว · "
                    "หนังสือที่เจ้าหน้าที่ทำขึ้น: หนังสือรับรอง รายงานการประชุม บันทึก"),
    )
    urgency = forms.ChoiceField(label=_("ชั้นความเร็ว"), choices=Urgency.choices, initial=Urgency.NORMAL)
    secrecy = forms.ChoiceField(label=_("ชั้นความลับ"), choices=Secrecy.choices, initial=Secrecy.NORMAL)
    subject = forms.CharField(label=_("เรื่อง"), max_length=500)
    recipient_name = forms.CharField(label=_("ถึง (ผู้รับ)"), max_length=500)
    salutation = forms.CharField(label=_("เรียน"), max_length=255, required=False)
    reference_to = forms.CharField(label=_("อ้างถึง"), max_length=500, required=False)
    enclosures = forms.CharField(label=_("สิ่งที่ส่งมาด้วย"), max_length=500, required=False)
    body = forms.CharField(label=_("ข้อความ"), widget=forms.Textarea(attrs={"rows": 10}))
    closing = forms.CharField(label=_("คำลงท้าย"), max_length=100, required=False, initial="ขอแสดงความนับถือ")
    signer_position = forms.CharField(label=_("ตำแหน่งผู้ลงนาม"), max_length=255, required=False)
    is_circular = forms.BooleanField(label=_("หนังสือเวียน"), required=False)
    edition = forms.IntegerField(label=_("ฉบับที่ (ถ้ามีหลายฉบับในเรื่องเดียวกัน)"), required=False, min_value=1, max_value=999)
    effective_from = forms.DateField(
        label=_("ใช้บังคับตั้งแต่"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    committee = forms.CharField(label=_("ชื่อคณะที่ประชุม (รายงานการประชุม)"), max_length=255, required=False)
    meeting_place = forms.CharField(label=_("สถานที่ประชุม"), max_length=255, required=False)
    meeting_started = forms.CharField(label=_("เริ่มประชุมเวลา"), max_length=20, required=False)
    meeting_ended = forms.CharField(label=_("เลิกประชุมเวลา"), max_length=20, required=False)
    present = forms.CharField(label=_("ผู้มาประชุม"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    absent = forms.CharField(label=_("ผู้ไม่มาประชุม"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    attending = forms.CharField(label=_("ผู้เข้าร่วมประชุม"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    minutes_taker = forms.CharField(label=_("ผู้จดรายงานการประชุม"), max_length=255, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipient_name"].required = False  # orders, announcements, certificates: no addressee


class PaperLetterForm(forms.Form):
    subject = forms.CharField(label=_("เรื่อง"), max_length=500)
    sender_name = forms.CharField(label=_("จาก"), max_length=255)
    letter_number = forms.CharField(label=_("ที่ (เลขที่หนังสือ)"), max_length=100)
    letter_date = forms.DateField(label=_("ลงวันที่"), widget=forms.DateInput(attrs={"type": "date"}))
    recipient_name = forms.CharField(label=_("ถึง"), max_length=500, required=False)
    kind = forms.ChoiceField(label=_("ชนิดหนังสือ"), choices=LetterKind.choices, initial=LetterKind.EXTERNAL)
    urgency = forms.ChoiceField(label=_("ชั้นความเร็ว"), choices=Urgency.choices, initial=Urgency.NORMAL)
    secrecy = forms.ChoiceField(label=_("ชั้นความลับ"), choices=Secrecy.choices, initial=Secrecy.NORMAL)
    action_note = forms.CharField(
        label=_("การปฏิบัติ"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    notes = forms.CharField(label=_("หมายเหตุ"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SubmitForm(forms.Form):
    """The approval route: up to three people in order; the last one chosen signs. Any slot may be
    the one filled (choosing only "3" is a route of one), but at least one and nobody twice."""

    approver_1 = StaffChoiceField(label=_("ผู้พิจารณาลำดับที่ 1"), queryset=User.objects.none(), required=False)
    approver_2 = StaffChoiceField(label=_("ลำดับที่ 2"), queryset=User.objects.none(), required=False)
    approver_3 = StaffChoiceField(label=_("ลำดับที่ 3 (ผู้ลงนาม)"), queryset=User.objects.none(), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("approver_1", "approver_2", "approver_3"):
            self.fields[name].queryset = staff_users()

    def clean(self):
        data = super().clean()
        chosen = [data.get(f"approver_{i}") for i in (1, 2, 3) if data.get(f"approver_{i}") is not None]
        if not chosen and not self.errors:
            raise forms.ValidationError(
                _("กรุณาเลือกผู้พิจารณาอย่างน้อยหนึ่งคน (Choose at least one approver)"), code="no_approver"
            )
        if len({u.pk for u in chosen}) != len(chosen):
            raise forms.ValidationError(
                _("เลือกผู้พิจารณาคนเดียวกันซ้ำ (The same person is chosen twice)"), code="duplicate_approver"
            )
        return data

    def approver_ids(self) -> list[int]:
        return [u.pk for u in (self.cleaned_data.get(f"approver_{i}") for i in (1, 2, 3)) if u is not None]


class DecisionForm(forms.Form):
    comment = forms.CharField(label=_("ความเห็น"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SendForm(forms.Form):
    recipient_codes = forms.MultipleChoiceField(
        label=_("หน่วยงานผู้รับ (ส่งทางระบบ)"), required=False, widget=forms.SelectMultiple(attrs={"size": 8})
    )
    paper_recipients = forms.CharField(
        label=_("ผู้รับที่ส่งเป็นเอกสาร (บรรทัดละหนึ่งราย)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, agencies=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipient_codes"].choices = [(a.code, f"{a.name_th} ({a.code})") for a in agencies]


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("เหตุผลที่ส่งคืน"), widget=forms.Textarea(attrs={"rows": 2}))


class PresentForm(forms.Form):
    to = StaffChoiceField(label=_("เสนอต่อ (ผู้บริหาร)"), queryset=User.objects.none())
    note = forms.CharField(label=_("ความเห็นเสนอ"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = (
            staff_users().filter(groups__permissions__codename="endorse_letter").distinct()
        )


class RouteForm(forms.Form):
    order_text = forms.CharField(
        label=_("ข้อความเกษียณสั่งการ / หมายเหตุ"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    to_users = StaffMultipleChoiceField(label=_("ถึงบุคคล"), queryset=User.objects.none(), required=False)
    to_departments = forms.ModelMultipleChoiceField(
        label=_("ถึงกอง/ส่วน"), queryset=Department.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_users"].queryset = staff_users()
        self.fields["to_departments"].queryset = Department.objects.filter(is_active=True)


class AcknowledgeForm(forms.Form):
    action_taken = forms.CharField(
        label=_("การดำเนินการ"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    done = forms.BooleanField(label=_("ดำเนินการเสร็จแล้ว"), required=False)


class RegisterFilterForm(forms.Form):
    q = forms.CharField(label=_("ค้นหา (เลข เรื่อง ผู้ส่ง หมายเหตุ)"), required=False)
    year = forms.IntegerField(label=_("ปี พ.ศ."), required=False, min_value=2500, max_value=2700)
    date_from = forms.DateField(
        label=_("ตั้งแต่วันที่"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("ถึงวันที่"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    urgency = forms.ChoiceField(label=_("ชั้นความเร็ว"), required=False, choices=[("", "—"), *Urgency.choices])
    kind = forms.ChoiceField(label=_("ชนิด"), required=False, choices=[("", "—"), *LetterKind.choices])


class SettingsForm(forms.ModelForm):
    class Meta:
        model = SarabanSettings
        fields = [
            "letter_prefix",
            "agency_name",
            "address",
            "phone",
            "retention_years",
            "auto_register_exchange",
            "number_announcements",
            "minutes_number_per_year",
        ]


class LetterPrefixForm(forms.ModelForm):
    """The one setting a saraban clerk may change: the prefix of the letters they number and send."""

    class Meta:
        model = SarabanSettings
        fields = ["letter_prefix"]


class DestructionForm(forms.Form):
    committee_note = forms.CharField(
        label=_("คำสั่ง/มติคณะกรรมการทำลายหนังสือ"), widget=forms.Textarea(attrs={"rows": 2})
    )


class CertificateForm(forms.Form):
    certificate = forms.FileField(label=_("ไฟล์ใบรับรองของหน่วยงาน (PKCS#12: .p12 / .pfx)"))
    passphrase = forms.CharField(label=_("รหัสผ่านของไฟล์"), required=False, widget=forms.PasswordInput)


class SigningOptionsForm(forms.ModelForm):
    """The town's timestamp authority and what happens when a document cannot be signed."""

    class Meta:
        model = SigningSettings
        fields = ["tsa_url", "on_failure"]


class LetterTemplateForm(forms.ModelForm):
    class Meta:
        model = LetterTemplate
        fields = ["name", "kind", "subject", "salutation", "body", "closing", "is_active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8})}
