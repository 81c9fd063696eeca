"""Citizen pages: find my bills (by proof: digital ID, a code to the payer's phone, or the town's
check), view and pay a bill by QR, receipts, verification."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from services.common import phone_verification, signing
from services.common.thai_phone import normalize_thai_phone

from .. import actions, payer_links, promptpay, selectors
from ..models import Payer

SESSION_KEY = "payments_payer_id"
PENDING_KEY = "payments_pending_payer_id"
# Payer code + phone is a weak secret: limit failed look-ups per client address (cache keys carry
# the town's schema, so one town's counter never blocks another's residents).
LOOKUP_LIMIT = 10
LOOKUP_WINDOW_SECONDS = 600
# Each code is an SMS the town pays for, to someone's phone: a few an hour per payer.
CODES_PER_PAYER_PER_HOUR = 5


def _lookup_key(request) -> str:
    return f"payments:lookup-fail:{request.META.get('REMOTE_ADDR', '')}"


class PayerLookupForm(forms.Form):
    code = forms.CharField(label=_("รหัสผู้ชำระ (Payer code)"), max_length=20)
    phone = forms.CharField(label=_("เบอร์โทรศัพท์ที่ลงทะเบียนไว้ (Phone on file)"), max_length=20)


class PayerCodeForm(forms.Form):
    otp = forms.CharField(label=_("รหัสยืนยัน 6 หลักที่ส่งทาง SMS (6-digit code)"), max_length=10)


def _citizen(request):
    user = request.user
    return user if user.is_authenticated and getattr(user, "kind", "") == "citizen" else None


def _masked_phone(phone: str) -> str:
    digits = normalize_thai_phone(phone or "")
    return f"xxx-xxx-{digits[-4:]}" if digits else ""


def _render(request, context: dict, status: int = 200):
    context.setdefault("form", PayerLookupForm())
    return render(request, "payments/portal.html", context, status=status)


def _send_code(request, form: PayerLookupForm):
    """Step 1: code + phone on file match → a one-time code goes to that phone (not yet the bills)."""
    if cache.get(_lookup_key(request), 0) >= LOOKUP_LIMIT:
        form.add_error(None, _("ค้นหาไม่สำเร็จหลายครั้ง กรุณารอ 10 นาที (Too many attempts; wait 10 minutes)"))
        return _render(request, {"form": form}, status=429)
    if not form.is_valid():
        return _render(request, {"form": form}, status=400)
    payer = selectors.payer_for_lookup(code=form.cleaned_data["code"], phone=form.cleaned_data["phone"])
    if payer is None:
        cache.add(_lookup_key(request), 0, LOOKUP_WINDOW_SECONDS)
        cache.incr(_lookup_key(request))
        form.add_error(
            None, _("ไม่พบข้อมูลผู้ชำระที่ตรงกับรหัสและเบอร์โทรศัพท์นี้ (No payer matches this code and phone number)")
        )
        return _render(request, {"form": form}, status=400)
    sent_key = f"payments:payer-codes:{payer.pk}"
    cache.add(sent_key, 0, 3600)
    if cache.incr(sent_key) > CODES_PER_PAYER_PER_HOUR:
        form.add_error(None, _("ส่งรหัสไปหลายครั้งแล้ว กรุณารอ 1 ชั่วโมง (Too many codes sent; wait an hour)"))
        return _render(request, {"form": form}, status=429)
    payer_links.send_payer_code(payer=payer)
    request.session[PENDING_KEY] = payer.pk
    return _render(request, {"code_form": PayerCodeForm(), "pending": payer, "masked": _masked_phone(payer.phone)})


def _check_code(request):
    """Step 2: the code from the payer's phone proves the visitor may see that payer's bills."""
    payer = Payer.objects.filter(pk=request.session.get(PENDING_KEY), is_active=True).first()
    code_form = PayerCodeForm(request.POST)
    if payer is None:
        return redirect("payments:portal")
    context = {"code_form": code_form, "pending": payer, "masked": _masked_phone(payer.phone)}
    if not code_form.is_valid():
        return _render(request, context, status=400)
    result = payer_links.check_payer_code(payer=payer, code=code_form.cleaned_data["otp"])
    if result is not phone_verification.Check.OK:
        code_form.add_error(
            "otp",
            _("รหัสไม่ถูกต้อง กรุณาลองอีกครั้ง (Wrong code; try again)")
            if result is phone_verification.Check.WRONG
            else _("รหัสหมดอายุหรือใช้ไม่ได้แล้ว กรุณาขอรหัสใหม่ (The code has expired; ask for a new one)"),
        )
        return _render(request, context, status=400)
    request.session.pop(PENDING_KEY, None)
    citizen = _citizen(request)
    if citizen is not None:
        payer_links.link_by_phone_code(user=citizen, payer_id=payer.pk)  # remembered on the account
        return redirect(f"{reverse('payments:portal')}?payer={payer.code}")
    request.session[SESSION_KEY] = payer.pk  # remembered for this browser session only
    return redirect("payments:portal")


def _ask_the_town(request):
    citizen = _citizen(request)
    if citizen is None:
        return redirect("payments:portal")
    try:
        payer_links.request_payer_link(
            user=citizen, payer_code=request.POST.get("code", ""), note=request.POST.get("note", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("payments:portal")
    messages.success(
        request,
        _("ส่งคำขอแล้ว เจ้าหน้าที่การเงินจะตรวจสอบและยืนยัน (Sent: a finance officer will check and confirm)"),
    )
    return redirect("payments:portal")


@require_http_methods(["GET", "POST"])
def portal(request):
    """Find my bills. Only proof opens a payer's bills: the national ID a digital-ID sign-in
    verified, a one-time code to the payer's phone on file, or the town's confirmation."""
    if request.method == "POST":
        step = request.POST.get("step", "")
        if step == "code":
            return _check_code(request)
        if step == "ask":
            return _ask_the_town(request)
        return _send_code(request, PayerLookupForm(request.POST))
    if request.GET.get("forget") == "1":
        request.session.pop(SESSION_KEY, None)
        return redirect("payments:portal")
    citizen = _citizen(request)
    mine = list(selectors.payers_of_user(citizen)) if citizen else []
    payer = None
    if mine:
        wanted = (request.GET.get("payer") or "").upper()
        payer = next((p for p in mine if p.code == wanted), mine[0])
    elif request.session.get(SESSION_KEY):
        payer = Payer.objects.filter(pk=request.session[SESSION_KEY], is_active=True).first()
    context = {"payer": payer, "my_payers": mine, "citizen": citizen}
    if payer is not None:
        context["invoices"] = selectors.invoices_of_payer(payer)[:60]
        context["receipts"] = selectors.receipts_of_payer(payer)[:60]
    return _render(request, context)


def invoice(request, token):
    """A bill with its Thai QR; the link in the SMS/e-mail and on the printed bill."""
    bill = selectors.invoice_by_token(token)
    if bill is None:
        raise Http404
    qr_svg = promptpay.qr_svg(bill.qr_payload) if bill.qr_payload else ""
    if qr_svg and bill.qr_shown_at is None:
        actions.note_qr_shown(invoice_id=bill.pk)
    return render(
        request,
        "payments/invoice.html",
        {
            "invoice": bill,
            "qr_svg": qr_svg,
            "receipts": bill.receipts.order_by("issued_at"),
        },
    )


def invoice_qr(request, token):
    """The bill's QR as a PNG (to save to the phone's gallery and open in a banking app)."""
    bill = selectors.invoice_by_token(token)
    if bill is None or not bill.qr_payload:
        raise Http404
    if bill.qr_shown_at is None:
        actions.note_qr_shown(invoice_id=bill.pk)
    response = HttpResponse(promptpay.qr_png(bill.qr_payload), content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="{bill.number}.png"'
    response["Cache-Control"] = "private, no-store"
    return response


def invoice_pdf(request, token):
    from ..documents import invoice_pdf as render_invoice

    bill = selectors.invoice_by_token(token)
    if bill is None:
        raise Http404
    response = HttpResponse(render_invoice(bill), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{bill.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def receipt_verify(request, token):
    """Public check that a receipt is genuine and not cancelled (the receipt's QR points here)."""
    receipt = selectors.receipt_by_token(token)
    if receipt is None:
        raise Http404
    return render(
        request, "payments/receipt_verify.html", {"receipt": receipt, "signature": signing.issuing_status()}
    )


def receipt_pdf(request, token):
    from ..documents import receipt_pdf as render_receipt

    receipt = selectors.receipt_by_token(token)
    if receipt is None:
        raise Http404
    response = HttpResponse(render_receipt(receipt), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="receipt-{receipt.fiscal_year}-{receipt.sequence:06d}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response
