from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง (The username or password is not correct)"
        ),
        "inactive": _("บัญชีนี้ถูกระงับ (This account is disabled)"),
    }
    username = forms.CharField(label=_("ชื่อผู้ใช้หรืออีเมล"), max_length=254,
                               widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))

    def clean(self):
        # Staff may sign in with their e-mail address as well as their username.
        username = self.cleaned_data.get("username")
        if username and "@" in username:
            from .models import User

            match = User.objects.filter(email__iexact=username).values_list("username", flat=True).first()
            if match:
                self.cleaned_data["username"] = match
        return super().clean()


class StaffInviteForm(forms.Form):
    first_name = forms.CharField(label=_("ชื่อ"), max_length=150)
    last_name = forms.CharField(label=_("นามสกุล"), max_length=150)
    email = forms.EmailField(label=_("อีเมล"))
    phone = forms.CharField(label=_("โทรศัพท์"), max_length=20, required=False)
    position = forms.CharField(label=_("ตำแหน่ง"), max_length=200, required=False)
    department = forms.ModelChoiceField(label=_("กอง/ส่วน"), queryset=None, required=False)
    roles = forms.MultipleChoiceField(label=_("บทบาท"), choices=(), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        from .models import Department
        from .roles import ROLE_CHOICES

        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(is_active=True)
        self.fields["roles"].choices = ROLE_CHOICES

    def clean_phone(self):
        from services.common.thai_phone import normalize_thai_phone, validate_thai_phone

        phone = self.cleaned_data["phone"]
        validate_thai_phone(phone)
        return normalize_thai_phone(phone)


class StaffEditForm(forms.Form):
    position = forms.CharField(label=_("ตำแหน่ง"), max_length=200, required=False)
    department = forms.ModelChoiceField(label=_("กอง/ส่วน"), queryset=None, required=False)
    roles = forms.MultipleChoiceField(label=_("บทบาท"), choices=(), widget=forms.CheckboxSelectMultiple, required=False)
    is_active = forms.BooleanField(label=_("ใช้งานได้"), required=False)

    def __init__(self, *args, **kwargs):
        from .models import Department
        from .roles import ROLE_CHOICES

        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.all()
        self.fields["roles"].choices = ROLE_CHOICES


class CitizenSignUpForm(forms.Form):
    first_name = forms.CharField(label=_("ชื่อ"), max_length=150)
    last_name = forms.CharField(label=_("นามสกุล"), max_length=150)
    phone = forms.CharField(label=_("โทรศัพท์มือถือ"), max_length=20)
    email = forms.EmailField(label=_("อีเมล (ถ้ามี)"), required=False)
    username = forms.RegexField(label=_("ชื่อผู้ใช้"), regex=r"^[A-Za-z0-9_.@+-]{3,150}$", max_length=150,
                                error_messages={"invalid": _("ใช้อักษรอังกฤษ ตัวเลข และ . _ - @ + อย่างน้อย 3 ตัว (Letters, digits and . _ - @ + only, 3 or more)")})
    password1 = forms.CharField(label=_("รหัสผ่าน"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("ยืนยันรหัสผ่าน"), widget=forms.PasswordInput, strip=False)
    consent = forms.BooleanField(
        label=_("ข้าพเจ้ายินยอมให้เทศบาลเก็บและใช้ข้อมูลส่วนบุคคลนี้เพื่อให้บริการและติดต่อกลับเท่านั้น ตาม พ.ร.บ.คุ้มครองข้อมูลส่วนบุคคล พ.ศ. 2562"),
    )

    def clean_phone(self):
        from services.common.thai_phone import is_mobile, normalize_thai_phone

        phone = normalize_thai_phone(self.cleaned_data["phone"])
        if not is_mobile(phone):
            raise forms.ValidationError(_("กรุณากรอกหมายเลขโทรศัพท์มือถือ (Please give a mobile number)"))
        return phone

    def clean(self):
        from django.contrib.auth.password_validation import validate_password

        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("รหัสผ่านทั้งสองช่องไม่ตรงกัน (The two passwords differ)"))
        elif data.get("password1"):
            try:
                validate_password(data["password1"])
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class TownPasswordResetForm(PasswordResetForm):
    """The reset e-mail links to the town's configured address (services/common/links.town_url),
    never to whatever Host and port the request that asked for it carried."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        from services.common.links import town_url
        from tenants.current import current_town

        path = reverse("accounts:password_reset_confirm", kwargs={"uidb64": context["uid"], "token": context["token"]})
        context = {**context, "reset_url": town_url(path), "domain": current_town().primary_host}
        super().send_mail(subject_template_name, email_template_name, context, from_email, to_email,
                          html_email_template_name)
