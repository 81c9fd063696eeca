"""Forms of the portal and back-office. They parse input; the rules live in actions.validate_filing."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from services.accounts.models import Department, User

from .models import DESCRIPTION_MAX, Category, CategoryAttribute, Community, Complaint, Holiday, OssSettings

PDPA_CONSENT_TEXT = _(
    "ข้าพเจ้ายินยอมให้เทศบาลเก็บและใช้ชื่อ เบอร์โทรศัพท์ อีเมล ตำแหน่ง และรูปถ่ายนี้ เพื่อรับและดำเนินการเรื่องนี้ "
    "และแจ้งความคืบหน้าให้ข้าพเจ้าทราบเท่านั้น ตามพระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล พ.ศ. 2562 "
    "ข้อมูลจะถูกเก็บไว้เท่าที่จำเป็นต่อการดำเนินการ และท่านขอดูหรือแก้ไขข้อมูลของท่านได้ที่ศูนย์บริการร่วม "
    "(I consent to the municipality using my name, phone, email, location and photos only to handle this "
    "request and keep me informed, under the Personal Data Protection Act B.E. 2562.)"
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(
                attrs={"accept": "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif"}
            ),
        )
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items if item]


class ComplaintForm(forms.Form):
    """The citizen's filing form (also used by staff and B-Buddy volunteers, with the channel)."""

    category = forms.ModelChoiceField(
        label=_("ประเภทเรื่อง"),
        queryset=Category.objects.none(),
        empty_label=_("— เลือกประเภท —"),
        error_messages={
            "required": _("กรุณาเลือกประเภทเรื่อง (Choose a category)"),
            "invalid_choice": _("ประเภทเรื่องไม่ถูกต้อง (Invalid category)"),
        },
    )
    description = forms.CharField(
        label=_("รายละเอียด"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("กรุณาเล่ารายละเอียด (Describe the problem)")},
    )
    latitude = forms.CharField(required=False, widget=forms.HiddenInput())
    longitude = forms.CharField(required=False, widget=forms.HiddenInput())
    address_text = forms.CharField(label=_("จุดสังเกต / ที่อยู่ (ถ้ามี)"), max_length=300, required=False)
    community = forms.ModelChoiceField(
        label=_("ชุมชน"), queryset=Community.objects.none(), required=False, empty_label=_("— ไม่ระบุ —")
    )
    photos = MultipleFileField(label=_("รูปถ่าย (ไม่เกิน 5 รูป รูปละไม่เกิน 10 MB)"))
    is_anonymous = forms.BooleanField(label=_("แจ้งโดยไม่ระบุตัวตน"), required=False)
    reporter_name = forms.CharField(label=_("ชื่อ-นามสกุล"), max_length=200, required=False)
    reporter_phone = forms.CharField(
        label=_("เบอร์โทรศัพท์มือถือ"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    reporter_email = forms.EmailField(label=_("อีเมล (ถ้ามี)"), required=False)
    consent = forms.BooleanField(label=PDPA_CONSENT_TEXT, required=False)
    # Set by the page's script when the draft is written; the same key filed twice is one case.
    filing_key = forms.UUIDField(required=False, widget=forms.HiddenInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True)
        self.fields["community"].queryset = Community.objects.filter(is_active=True)


class StaffComplaintForm(ComplaintForm):
    channel = forms.ChoiceField(
        label=_("ช่องทาง"),
        choices=[
            (Complaint.Channel.WALK_IN, Complaint.Channel.WALK_IN.label),
            (Complaint.Channel.PHONE, Complaint.Channel.PHONE.label),
            (Complaint.Channel.BBUDDY, Complaint.Channel.BBUDDY.label),
        ],
    )


class TrackLookupForm(forms.Form):
    tracking_code = forms.CharField(
        label=_("เลขติดตามเรื่อง"),
        max_length=30,
        widget=forms.TextInput(attrs={"placeholder": "BSR-2569-000123"}),
    )
    phone_last4 = forms.CharField(
        label=_("เลข 4 ตัวท้ายของเบอร์โทรที่ใช้แจ้ง"),
        min_length=4,
        max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "pattern": "[0-9]{4}"}),
    )


class ConfirmForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("ความพึงพอใจ"),
        coerce=int,
        choices=[(i, str(i)) for i in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("ความคิดเห็น (ถ้ามี)"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("เหตุผลที่ขอเปิดเรื่องใหม่"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class TextForm(forms.Form):
    text = forms.CharField(
        label=_("ข้อความ"), max_length=DESCRIPTION_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class ResolveForm(forms.Form):
    reply = forms.CharField(
        label=_("ผลการดำเนินงาน (แจ้งผู้แจ้ง)"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photos = MultipleFileField(label=_("รูปหลังดำเนินการ"))
    photo_exception_reason = forms.CharField(
        label=_("เหตุผล หากรูปถ่ายห่างจากจุดที่แจ้งเกินกำหนด (บันทึกภายใน)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AcceptForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("ส่งให้กอง"), queryset=Department.objects.filter(is_active=True), required=False
    )
    note = forms.CharField(label=_("หมายเหตุ"), max_length=500, required=False)


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("เหตุผล (ผู้แจ้งจะเห็น)"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.display_name + (f" ({obj.department.name_th})" if obj.department_id else "")


class AssignForm(forms.Form):
    officer = OfficerChoiceField(label=_("มอบหมายให้"), queryset=User.objects.none())
    note = forms.CharField(label=_("หมายเหตุ"), max_length=500, required=False)

    def __init__(self, *args, officers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if officers is not None:
            self.fields["officer"].queryset = officers


class RecategoriseForm(forms.Form):
    category = forms.ModelChoiceField(label=_("ประเภทใหม่"), queryset=Category.objects.filter(is_active=True))


class MergeForm(forms.Form):
    into = forms.CharField(label=_("รวมเข้ากับเลขติดตามเรื่อง"), max_length=30)


class HolidayForm(forms.ModelForm):
    class Meta:
        model = Holiday
        fields = ["date", "name"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}


class OssSettingsForm(forms.ModelForm):
    class Meta:
        model = OssSettings
        fields = [
            "work_day_start",
            "work_day_end",
            "baseline_days",
            "went_live_on",
            "reopen_days",
            "submissions_per_ip_per_hour",
            "submissions_per_phone_per_day",
            "after_photo_max_distance_m",
            "public_board_enabled",
            "supports_per_phone_per_day",
            "supports_per_ip_per_hour",
            "line_channel_secret",
            "line_channel_access_token",
        ]
        widgets = {
            "work_day_start": forms.TimeInput(attrs={"type": "time"}),
            "work_day_end": forms.TimeInput(attrs={"type": "time"}),
            "went_live_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            # Sealed values never go back to the browser; an empty box keeps the stored one.
            "line_channel_secret": forms.PasswordInput(render_value=False),
            "line_channel_access_token": forms.PasswordInput(render_value=False),
        }

    def clean(self):
        data = super().clean()
        for name in ("line_channel_secret", "line_channel_access_token"):
            if not data.get(name):
                data[name] = getattr(self.instance, name, "")
        if (
            data.get("work_day_start")
            and data.get("work_day_end")
            and data["work_day_end"] <= data["work_day_start"]
        ):
            raise forms.ValidationError(
                _("เวลาเลิกทำการต้องหลังเวลาเริ่ม (Office hours must end after they start)")
            )
        return data


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = [
            "code",
            "name_th",
            "name_en",
            "icon",
            "description",
            "department",
            "sla_hours",
            "allow_anonymous",
            "requires_after_photo",
            "on_public_board",
            "is_private",
            "is_active",
            "order",
        ]


class CategoryAttributeForm(forms.ModelForm):
    """An Open311 attribute of a category; list values are typed one per line as `key=name`."""

    values_text = forms.CharField(
        label=_("ตัวเลือก (บรรทัดละ key=ชื่อ)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    class Meta:
        model = CategoryAttribute
        fields = ["code", "description", "datatype", "required", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["values_text"].initial = "\n".join(
                f"{v.get('key')}={v.get('name')}" for v in self.instance.values or []
            )

    def clean(self):
        data = super().clean()
        values = []
        for line in (data.get("values_text") or "").splitlines():
            if not line.strip():
                continue
            key, sep, name = line.partition("=")
            if not sep or not key.strip() or not name.strip():
                raise forms.ValidationError(_("ตัวเลือกต้องเป็น key=ชื่อ (Values must be key=name)"))
            values.append({"key": key.strip()[:40], "name": name.strip()[:100]})
        is_list = data.get("datatype") in (
            CategoryAttribute.Datatype.SINGLE,
            CategoryAttribute.Datatype.MULTI,
        )
        if is_list and not values:
            raise forms.ValidationError(_("รายการเลือกต้องมีตัวเลือก (List attributes need values)"))
        data["values"] = values if is_list else []
        return data

    def save(self, commit=True):
        self.instance.values = self.cleaned_data["values"]
        return super().save(commit=commit)


CategoryAttributeFormSet = forms.inlineformset_factory(
    Category, CategoryAttribute, form=CategoryAttributeForm, extra=1, can_delete=True
)


class Open311ClientForm(forms.Form):
    name = forms.CharField(label=_("ชื่อแอป / ผู้พัฒนา"), max_length=200)
    contact_email = forms.EmailField(label=_("อีเมลติดต่อ"), required=False)
