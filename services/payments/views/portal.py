"""Citizen pages: find my bills (payer code + phone), view and pay a bill by QR, receipts, verification."""

from __future__ import annotations

from django import forms
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from .. import promptpay, selectors
from ..models import Payer

SESSION_KEY = "payments_payer_id"
# Payer code + phone is a weak secret: limit failed look-ups per client address (cache keys carry
# the town's schema, so one town's counter never blocks another's residents).
LOOKUP_LIMIT = 10
LOOKUP_WINDOW_SECONDS = 600


def _lookup_key(request) -> str:
    return f"payments:lookup-fail:{request.META.get('REMOTE_ADDR', '')}"


class PayerLookupForm(forms.Form):
    code = forms.CharField(label=_("รหัสผู้ชำระ (Payer code)"), max_length=20)
    phone = forms.CharField(label=_("เบอร์โทรศัพท์ที่ลงทะเบียนไว้ (Phone on file)"), max_length=20)


@require_http_methods(["GET", "POST"])
def portal(request):
    """Find my bills: payer code + phone on file; the session remembers the payer afterwards."""
    form = PayerLookupForm(request.POST if request.method == "POST" else None)
    payer = None
    if request.method == "POST" and cache.get(_lookup_key(request), 0) >= LOOKUP_LIMIT:
        form.is_valid()
        form.add_error(None, _("ค้นหาไม่สำเร็จหลายครั้ง กรุณารอ 10 นาที (Too many attempts; wait 10 minutes)"))
        return render(request, "payments/portal.html", {"form": form, "payer": None}, status=429)
    if request.method == "POST" and form.is_valid():
        payer = selectors.payer_for_lookup(code=form.cleaned_data["code"], phone=form.cleaned_data["phone"])
        if payer is None:
            cache.add(_lookup_key(request), 0, LOOKUP_WINDOW_SECONDS)
            cache.incr(_lookup_key(request))
            form.add_error(
                None, _("ไม่พบข้อมูลผู้ชำระที่ตรงกับรหัสและเบอร์โทรศัพท์นี้ (No payer matches this code and phone number)")
            )
        else:
            request.session[SESSION_KEY] = payer.pk
            return redirect("payments:portal")
    elif request.method == "GET" and request.session.get(SESSION_KEY):
        payer = Payer.objects.filter(pk=request.session[SESSION_KEY], is_active=True).first()
    elif request.method == "GET" and request.user.is_authenticated:
        # A signed-in resident whose phone is on file sees their bills without typing the code.
        payer = selectors.payer_of_user(request.user)
    if request.GET.get("forget") == "1":
        request.session.pop(SESSION_KEY, None)
        return redirect("payments:portal")
    context = {"form": form, "payer": payer}
    if payer is not None:
        context["invoices"] = selectors.invoices_of_payer(payer)[:60]
        context["receipts"] = selectors.receipts_of_payer(payer)[:60]
    return render(request, "payments/portal.html", context)


def invoice(request, token):
    """A bill with its Thai QR; the link in the SMS/e-mail and on the printed bill."""
    bill = selectors.invoice_by_token(token)
    if bill is None:
        raise Http404
    qr_svg = promptpay.qr_svg(bill.qr_payload) if bill.qr_payload else ""
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
    return render(request, "payments/receipt_verify.html", {"receipt": receipt})


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
