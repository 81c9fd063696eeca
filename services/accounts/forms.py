from django import forms
from django.contrib.auth.forms import AuthenticationForm
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
