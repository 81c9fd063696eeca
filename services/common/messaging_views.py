"""Messages leaving the town: the providers' delivery receipts, and the staff page that shows them.

Twilio reports each message's delivery to the StatusCallback we gave it, signed with
X-Twilio-Signature = base64(HMAC-SHA1(auth token, callback URL + every POST field name and value,
sorted by name)). A receipt without a valid signature from one of this town's Twilio accounts is
refused with 403 before anything is read from the database.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import uuid
from urllib.parse import parse_qsl

from django import forms
from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from . import outbox
from .links import town_url
from .message_report import counts_by_channel, failures, month_start
from .models import MessagingSettings, OutboxMessage
from .views import backoffice_menu, staff_required

MAX_BODY = 16 * 1024
# A receipt never moves a message backwards (they may arrive out of order).
RANK = {"queued": 1, "accepted": 1, "sending": 2, "sent": 3, "delivered": 4, "undelivered": 4, "failed": 4, "read": 5}


def twilio_signature(token: str, url: str, fields: list[tuple[str, str]]) -> str:
    payload = url + "".join(name + value for name, value in sorted(fields))
    return base64.b64encode(hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()).decode()


def _twilio_tokens() -> list[str]:
    from .notify.sms import sms_accounts

    return [a.secret for a in sms_accounts() if a.provider == "twilio" and a.secret]


@csrf_exempt
@require_POST
def twilio_status(request):
    """Apply one Twilio delivery receipt to the message it names."""
    body = request.body
    if len(body) > MAX_BODY:
        return JsonResponse({"error": "payload too large"}, status=413)
    fields = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    given = request.headers.get("X-Twilio-Signature", "")
    url = town_url(request.get_full_path())
    if not given or not any(
        hmac.compare_digest(given, twilio_signature(token, url, fields)) for token in _twilio_tokens()
    ):
        return JsonResponse({"error": "invalid signature"}, status=403)
    data = dict(fields)
    sid, status = data.get("MessageSid", "")[:100], data.get("MessageStatus", "")[:30]
    if not sid or not status:
        return JsonResponse({"error": "MessageSid and MessageStatus are required"}, status=400)
    message = OutboxMessage.objects.filter(provider="twilio", provider_message_id=sid).first()
    if message is None:
        return JsonResponse({"error": "unknown message"}, status=404)
    if RANK.get(status, 0) >= RANK.get(message.provider_status, 0):
        message.provider_status = status
        message.provider_status_at = timezone.now()
        update = ["provider_status", "provider_status_at"]
        if status in ("undelivered", "failed"):
            message.last_error = f"twilio: {status} (error {data.get('ErrorCode') or '-'})"[:2000]
            update.append("last_error")
        message.save(update_fields=update)
    return HttpResponse(status=204)


# --- the town admin's messaging page ---------------------------------------------------------

SECRET_FIELDS = ("thaibulksms_api_key", "thaibulksms_api_secret", "twilio_auth_token")


class MessagingSettingsForm(forms.ModelForm):
    class Meta:
        model = MessagingSettings
        fields = [
            "sms_provider", "sms_failover_provider", "thaibulksms_api_key", "thaibulksms_api_secret",
            "thaibulksms_sender", "thaibulksms_force", "twilio_account_sid", "twilio_auth_token", "twilio_from",
            "sms_price_per_part", "email_from_name", "email_from_address", "email_reply_to",
        ]
        # Sealed values are never sent back to the browser; an empty box keeps the stored one.
        widgets = {name: forms.PasswordInput(render_value=False) for name in SECRET_FIELDS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in SECRET_FIELDS:
            self.fields[name].required = False
            if getattr(self.instance, name, ""):
                self.fields[name].help_text = _("ตั้งไว้แล้ว เว้นว่างเพื่อใช้ค่าเดิม (set; leave empty to keep)")

    def clean(self):
        cleaned = super().clean()
        for name in SECRET_FIELDS:
            if not cleaned.get(name):
                cleaned[name] = getattr(self.instance, name, "")
        return cleaned



class TestMessageForm(forms.Form):
    channel = forms.ChoiceField(label=_("ช่องทาง"), choices=OutboxMessage.Channel.choices)
    to = forms.CharField(label=_("ส่งถึง (เบอร์ อีเมล หรือ LINE user ID)"), max_length=254)
    text = forms.CharField(label=_("ข้อความ"), max_length=500)



@require_http_methods(["GET", "POST"])
@staff_required
def staff_messages(request):
    """Town admins: messages this month per channel and state, SMS credit used, failures with the
    provider's reason; the town's own provider account; a test message through the same path."""
    if not request.user.has_perm("common.view_outboxmessage"):
        raise PermissionDenied
    may_change = request.user.has_perm("common.change_messagingsettings")
    row = MessagingSettings.current()
    settings_form = MessagingSettingsForm(instance=row)
    test_form = TestMessageForm()
    status = 200
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        if request.POST.get("action") == "test_message":
            test_form = TestMessageForm(request.POST)
            if test_form.is_valid():
                message = outbox.send_now(
                    channel=test_form.cleaned_data["channel"], recipient=test_form.cleaned_data["to"].strip(),
                    body=test_form.cleaned_data["text"], subject="ข้อความทดสอบ (test message)",
                    key=f"staff-test:{request.user.pk}:{uuid.uuid4()}",
                )
                if message.status == OutboxMessage.Status.SENT:
                    flash.success(request, _("ส่งแล้ว (sent) — %(provider)s %(id)s") % {
                        "provider": message.provider, "id": message.provider_message_id or "-"})
                else:
                    flash.error(request, _("ส่งไม่สำเร็จ (not sent) — %(reason)s") % {"reason": message.last_error})
                return redirect("staff_messages:page")
            status = 400
        else:
            settings_form = MessagingSettingsForm(request.POST, instance=row)
            if settings_form.is_valid():
                settings_form.save()
                flash.success(request, _("บันทึกการตั้งค่าแล้ว (Settings saved)"))
                return redirect("staff_messages:page")
            status = 400
    start = month_start()
    rows = counts_by_channel(start, timezone.now() + dt.timedelta(seconds=1))
    sms = next((r for r in rows if r["channel"] == "sms"), None)
    return render(request, "common/messages.html", {
        "backoffice_menu": backoffice_menu(request.user), "rows": rows, "sms": sms, "month": start,
        "failures": failures(), "settings_form": settings_form, "test_form": test_form,
        "may_change": may_change,
    }, status=status)
