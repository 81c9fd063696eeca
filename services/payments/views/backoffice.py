"""Finance back-office: dashboard, payers, invoices, bill runs, exceptions, receipts, statements,
cash report, settings."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from services.common.params import query_param
from services.common.views import backoffice_menu, staff_required

from .. import actions, billing, documents, payer_links, selectors
from ..models import (
    BankConnection,
    BillRun,
    FeeTier,
    FeeType,
    Invoice,
    Payer,
    PayerLink,
    PaymentException,
    PaymentSettings,
    Receipt,
    StatementImport,
)
from ..payer_import import import_payers
from ..workflow import ExceptionStatus, InvoiceStatus

MAX_UPLOAD = 30 * 1024 * 1024


def _require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _render(request, template: str, context: dict):
    return render(request, template, {**context, "backoffice_menu": backoffice_menu(request.user)})


def _page(request, queryset, size: int = 50):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _errors(exc: ValidationError) -> str:
    return "; ".join(exc.messages)


@staff_required
def dashboard(request):
    summary = selectors.finance_summary(user=request.user)
    return _render(request, "payments/staff/dashboard.html", {"summary": summary})


class PayerImportForm(forms.Form):
    file = forms.FileField(label=_("ไฟล์ CSV (UTF-8 หรือ Windows-874)"))
    dry_run = forms.BooleanField(label=_("ตรวจสอบอย่างเดียว ยังไม่บันทึก"), required=False)


@staff_required
def payers(request):
    page = _page(
        request,
        selectors.search_payers(
            user=request.user,
            query=query_param(request.GET, "q"),
            community=query_param(request.GET, "community"),
        ),
    )
    form = PayerImportForm()
    report = None
    if request.method == "POST":
        form = PayerImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > MAX_UPLOAD:
                form.add_error("file", _("ไฟล์ใหญ่เกิน 30 MB (file larger than 30 MB)"))
            else:
                try:
                    report = import_payers(
                        data=upload.read(), by=request.user, dry_run=form.cleaned_data["dry_run"]
                    )
                except ValidationError as exc:
                    form.add_error("file", _errors(exc))
    communities = (
        Payer.objects.exclude(community="")
        .values_list("community", flat=True)
        .distinct()
        .order_by("community")
    )
    return _render(
        request,
        "payments/staff/payers.html",
        {
            "page": page,
            "form": form,
            "report": report,
            "communities": communities,
            "can_import": request.user.has_perm("payments.add_payer"),
            "pending_links": selectors.pending_payer_links()[:50]
            if request.user.has_perm("payments.change_payer")
            else [],
        },
    )


@staff_required
def payer_detail(request, code: str):
    payer = get_object_or_404(Payer, code=code)
    ledger = selectors.payer_ledger(user=request.user, payer=payer)
    return _render(
        request,
        "payments/staff/payer_detail.html",
        {
            "payer": payer,
            "ledger": ledger,
            "fees": payer.fees.select_related("tier__fee_type"),
            "links": payer.links.exclude(status="revoked").select_related("user", "decided_by"),
        },
    )


@require_POST
@staff_required
def payer_link_decide(request, pk: int):
    """Confirm or refuse a citizen's request to see a payer's bills (after checking their ID)."""
    get_object_or_404(PayerLink, pk=pk)
    link = payer_links.decide_payer_link(link_id=pk, by=request.user, approve=request.POST.get("approve") == "1")
    messages.success(request, _("บันทึกแล้ว"))
    return redirect("payments:staff_payer", code=link.payer.code)


@staff_required
def invoices(request):
    run = request.GET.get("run", "")
    page = _page(
        request,
        selectors.search_invoices(
            user=request.user,
            query=query_param(request.GET, "q"),
            status=query_param(request.GET, "status"),
            bill_run_id=int(run) if run.isdigit() else None,
        ),
    )
    return _render(request, "payments/staff/invoices.html", {"page": page, "statuses": InvoiceStatus.choices})


@staff_required
def invoice_detail(request, number: str):
    _require(request, "payments.view_invoice")
    invoice = get_object_or_404(Invoice.objects.prefetch_related("lines"), number=number)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "counter":
                receipt = actions.record_counter_payment(
                    invoice_id=invoice.pk, amount=Decimal(request.POST.get("amount", "")), by=request.user
                )
                messages.success(request, _("รับชำระแล้ว ใบเสร็จเลขที่ %(n)s") % {"n": receipt.display_number})
            elif request.POST.get("action") == "cancel":
                actions.cancel_invoice(
                    invoice_id=invoice.pk, by=request.user, reason=request.POST.get("reason", "")
                )
                messages.success(request, _("ยกเลิกใบแจ้งหนี้แล้ว"))
            return redirect("payments:staff_invoice", number=invoice.number)
        except (ValidationError, InvalidOperation) as exc:
            messages.error(
                request, _errors(exc) if isinstance(exc, ValidationError) else _("จำนวนเงินไม่ถูกต้อง")
            )
    return _render(
        request,
        "payments/staff/invoice_detail.html",
        {
            "invoice": invoice,
            "payments": invoice.payments.select_related("receipt", "bank_transaction"),
            "exceptions": invoice.exceptions.all(),
        },
    )


class BillRunForm(forms.Form):
    month = forms.DateField(
        label=_("งวดเดือน"),
        widget=forms.DateInput(attrs={"type": "month"}),
        input_formats=["%Y-%m", "%Y-%m-%d"],
    )


@staff_required
def bill_runs(request):
    _require(request, "payments.run_billing")
    form = BillRunForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            existed = BillRun.objects.filter(period=form.cleaned_data["month"].replace(day=1)).exists()
            run = billing.run_bill_run(period=form.cleaned_data["month"], by=request.user)
            if existed:
                messages.info(request, _("งวดนี้ออกใบแจ้งหนี้ไปแล้ว (this period was billed already)"))
            else:
                messages.success(request, _("ออกใบแจ้งหนี้ %(n)s ฉบับ") % {"n": run.invoice_count})
            return redirect("payments:staff_bill_runs")
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
    page = _page(request, BillRun.objects.select_related("started_by"))
    for run in page:
        run.label = billing.period_label(run.period, 1)
    return _render(request, "payments/staff/bill_runs.html", {"form": form, "page": page})


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(label=_("การดำเนินการ"), choices=PaymentException.Resolution.choices)
    invoice_number = forms.CharField(label=_("นำไปชำระใบแจ้งหนี้เลขที่ (ถ้าเลือกนำไปชำระ)"), required=False)
    note = forms.CharField(label=_("บันทึก / เหตุผล"), widget=forms.Textarea(attrs={"rows": 2}))


@staff_required
def exceptions(request):
    _require(request, "payments.view_paymentexception")
    status = query_param(request.GET, "status", ExceptionStatus.OPEN)
    items = PaymentException.objects.select_related("bank_transaction", "invoice", "resolved_by").filter(
        status=status
    )
    return _render(
        request,
        "payments/staff/exceptions.html",
        {
            "page": _page(request, items),
            "status": status,
            "statuses": ExceptionStatus.choices,
        },
    )


@staff_required
def exception_detail(request, pk: int):
    _require(request, "payments.view_paymentexception")
    item = get_object_or_404(PaymentException.objects.select_related("bank_transaction", "invoice"), pk=pk)
    form = ResolveForm(
        request.POST if request.method == "POST" else None, initial={"invoice_number": item.invoice.number if item.invoice else ""}
    )
    if request.method == "POST" and form.is_valid():
        invoice_id = None
        number = form.cleaned_data["invoice_number"].strip().upper()
        if number:
            invoice_id = Invoice.objects.filter(number=number).values_list("pk", flat=True).first()
            if invoice_id is None:
                form.add_error("invoice_number", _("ไม่พบใบแจ้งหนี้ (no such invoice)"))
        if form.is_valid():
            try:
                actions.resolve_exception(
                    exception_id=item.pk,
                    by=request.user,
                    invoice_id=invoice_id,
                    resolution=form.cleaned_data["resolution"],
                    note=form.cleaned_data["note"],
                )
                messages.success(request, _("บันทึกการดำเนินการแล้ว"))
                return redirect("payments:staff_exceptions")
            except ValidationError as exc:
                form.add_error(None, _errors(exc))
    return _render(request, "payments/staff/exception_detail.html", {"item": item, "form": form})


@staff_required
def receipts(request):
    _require(request, "payments.view_receipt")
    query = query_param(request.GET, "q")
    items = Receipt.objects.select_related("invoice", "payment")
    if query:
        filters = Q(payer_name__icontains=query) | Q(invoice__number__icontains=query)
        if "/" in query:
            year, _sep, sequence = query.partition("/")
            if year.isdigit() and sequence.isdigit():
                filters |= Q(fiscal_year=int(year), sequence=int(sequence))
        items = items.filter(filters)
    return _render(request, "payments/staff/receipts.html", {"page": _page(request, items)})


@staff_required
@require_POST
def receipt_cancel(request, pk: int):
    try:
        receipt = actions.cancel_receipt(
            receipt_id=pk, by=request.user, reason=request.POST.get("reason", "")
        )
        messages.success(request, _("ยกเลิกใบเสร็จ %(n)s แล้ว") % {"n": receipt.display_number})
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect("payments:staff_receipts")


class StatementForm(forms.Form):
    file = forms.FileField(label=_("ไฟล์รายการจากธนาคาร"))
    format = forms.ChoiceField(label=_("รูปแบบ"), choices=StatementImport.Format.choices)


@staff_required
def statements(request):
    """Upload an end-of-day bank file; it is kept and reconciled in the background."""
    _require(request, "payments.add_statementimport")
    # Bound on every POST, even one carrying only the file (an empty QueryDict is falsy).
    form = StatementForm(request.POST, request.FILES) if request.method == "POST" else StatementForm()
    if request.method == "POST" and form.is_valid():
        try:
            statement = actions.queue_statement_import(
                upload=form.cleaned_data["file"],
                statement_format=form.cleaned_data["format"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error("file", _errors(exc))
        else:
            if statement.status == StatementImport.Status.PROCESSING:
                messages.success(request, _("รับไฟล์แล้ว กำลังกระทบยอดเบื้องหลัง ผลจะแสดงในตารางด้านล่าง"))
            else:
                messages.info(request, _("ไฟล์นี้นำเข้าแล้ว (this file was imported before)"))
            return redirect("payments:staff_statements")
    return _render(
        request,
        "payments/staff/statements.html",
        {
            "form": form,
            "page": _page(request, StatementImport.objects.select_related("imported_by")),
        },
    )


@staff_required
def cash_report(request):
    try:
        day = (
            dt.date.fromisoformat(request.GET.get("day", ""))
            if request.GET.get("day")
            else timezone.localdate()
        )
    except ValueError:
        day = timezone.localdate()
    report = selectors.cash_report(user=request.user, day=day)
    output = request.GET.get("format")
    if output == "pdf":
        response = HttpResponse(documents.cash_report_pdf(report), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="cash-report-{day.isoformat()}.pdf"'
        return response
    if output == "xlsx":
        response = HttpResponse(
            cash_report_xlsx(report),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="cash-report-{day.isoformat()}.xlsx"'
        return response
    return _render(request, "payments/staff/cash_report.html", {"report": report})


def cash_report_xlsx(report: dict) -> bytes:
    """The daily cash report as an Excel workbook (amounts as numbers with two decimals)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from services.common.buddhist_era import format_be_long

    book = Workbook()
    sheet = book.active
    sheet.title = "รายงานเงินสด"
    sheet.append([f"รายงานเงินสดประจำวันที่ {format_be_long(report['day'])}"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(
        [
            "เลขที่ใบเสร็จ",
            "เล่มที่",
            "เลขที่",
            "เวลา",
            "ผู้ชำระ",
            "ใบแจ้งหนี้",
            "ช่องทาง",
            "จำนวนเงิน",
            "สถานะ",
            "เหตุผลการยกเลิก",
        ]
    )
    for receipt in report["receipts"]:
        local = timezone.localtime(receipt.issued_at)
        sheet.append(
            [
                receipt.display_number,
                receipt.book_no,
                receipt.number_in_book,
                local.strftime("%H:%M"),
                receipt.payer_name,
                receipt.invoice.number,
                receipt.payment.get_channel_display(),
                receipt.amount,
                receipt.get_status_display(),
                receipt.cancel_reason,
            ]
        )
        sheet.cell(row=sheet.max_row, column=8).number_format = "#,##0.00"
    sheet.append([])
    sheet.append(["รวม (ไม่รวมที่ยกเลิก)", "", "", "", "", "", "", report["total"]])
    sheet.cell(row=sheet.max_row, column=8).number_format = "#,##0.00"
    for column, width in zip("ABCDEFGHIJ", (16, 8, 8, 8, 30, 18, 18, 14, 10, 30), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class SettingsForm(forms.ModelForm):
    class Meta:
        model = PaymentSettings
        fields = [
            "qr_mode",
            "due_days",
            "bill_day",
            "billing_months",
            "auto_bill_runs",
            "receipt_book_size",
            "receiver_name",
            "receiver_title",
            "timestamp_window_seconds",
        ]

    def clean_bill_day(self):
        value = self.cleaned_data["bill_day"]
        if not 1 <= value <= 28:
            raise ValidationError(_("ต้องอยู่ระหว่าง 1–28 (must be 1–28)"))
        return value


class BankConnectionForm(forms.ModelForm):
    """How one bank reaches the town and how the town asks it; a blank secret keeps the stored one."""

    api_base_url = forms.URLField(label=_("URL ของ API ธนาคาร"), required=False, assume_scheme="https")
    api_secret = forms.CharField(label=_("API secret"), required=False, widget=forms.PasswordInput)
    partner_secret = forms.CharField(label=_("Partner secret (KBank)"), required=False, widget=forms.PasswordInput)

    class Meta:
        model = BankConnection
        fields = [
            "is_active",
            "api_base_url",
            "api_key",
            "api_secret",
            "partner_id",
            "partner_secret",
            "merchant_id",
            "client_cert_path",
            "client_key_path",
            "allowed_networks",
            "inquiry_enabled",
            "inquiries_per_run",
            "chase_days_after_due",
            "statement_url",
        ]
        widgets = {"allowed_networks": forms.Textarea(attrs={"rows": 2})}

    def clean(self):
        data = super().clean()
        for name in ("api_secret", "partner_secret"):
            if not data.get(name):
                data[name] = getattr(self.instance, name, "")
        return data


def _bank_forms(request) -> list[tuple[str, BankConnectionForm, BankConnection | None]]:
    forms_ = []
    for code, _label in BankConnection.Bank.choices:
        existing = BankConnection.objects.filter(bank=code).first()
        instance = existing or BankConnection(bank=code, is_active=False)
        bound = request.method == "POST" and request.POST.get("bank") == code
        forms_.append((code, BankConnectionForm(request.POST if bound else None, instance=instance, prefix=code), existing))
    return forms_


@staff_required
def settings_view(request):
    _require(request, "payments.change_paymentsettings")
    row = PaymentSettings.current()
    form = SettingsForm(request.POST if request.method == "POST" and not request.POST.get("bank") else None, instance=row)
    bank_forms = _bank_forms(request)
    if request.method == "POST":
        for code, bank_form, _existing in bank_forms:
            if request.POST.get("bank") != code:
                continue
            if bank_form.is_valid():
                try:
                    actions.save_bank_connection(instance=bank_form.save(commit=False), by=request.user)
                except ValidationError as exc:
                    messages.error(request, _errors(exc))
                else:
                    messages.success(request, _("บันทึกการเชื่อมต่อธนาคารแล้ว"))
                    return redirect("payments:staff_settings")
        if request.POST.get("action") == "rotate":
            row.bank_hmac_secret = actions.rotate_bank_secret(by=request.user)
            messages.success(request, _("สร้างรหัสลับใหม่แล้ว แจ้งธนาคารก่อนใช้งาน"))
            return redirect("payments:staff_settings")
        if form.is_bound and form.is_valid():
            form.save()
            messages.success(request, _("บันทึกแล้ว"))
            return redirect("payments:staff_settings")
    return _render(
        request,
        "payments/staff/settings.html",
        {
            "form": form,
            "row": row,
            "town": request.town,
            "callback_path": "/api/v1/payments/confirmations/",
            "bank_forms": bank_forms,
        },
    )


class FeeTierForm(forms.ModelForm):
    class Meta:
        model = FeeTier
        fields = [
            "fee_type",
            "code",
            "name_th",
            "payer_kind",
            "frequency",
            "basis",
            "amount",
            "valid_from",
            "valid_to",
            "rate_version",
        ]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_to": forms.DateInput(attrs={"type": "date"}),
        }


class FeeTypeForm(forms.ModelForm):
    class Meta:
        model = FeeType
        fields = ["code", "name_th", "name_en", "is_recurring", "monthly_cap", "legal_basis", "is_active"]


@staff_required
def fees(request):
    """The town's fee catalogue: types (with the legal cap it applies) and dated rate versions."""
    _require(request, "payments.view_feetier")
    can_edit = request.user.has_perm("payments.add_feetier")
    tier_form = FeeTierForm(request.POST if request.POST.get("form") == "tier" else None, prefix="tier")
    type_form = FeeTypeForm(request.POST if request.POST.get("form") == "type" else None, prefix="type")
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        form = tier_form if request.POST.get("form") == "tier" else type_form
        if form.is_valid():
            actions.save_fee_catalogue_entry(instance=form.instance, by=request.user)
            messages.success(request, _("บันทึกแล้ว"))
            return redirect("payments:staff_fees")
    return _render(
        request,
        "payments/staff/fees.html",
        {
            "types": FeeType.objects.prefetch_related("tiers").order_by("code"),
            "tier_form": tier_form,
            "type_form": type_form,
            "can_edit": can_edit,
        },
    )


class PayerForm(forms.ModelForm):
    garbage_tier = forms.ModelChoiceField(
        label=_("อัตราค่าขยะ"), queryset=FeeTier.objects.none(), required=False
    )
    wastewater_tier = forms.ModelChoiceField(
        label=_("อัตราค่าบำบัดน้ำเสีย"), queryset=FeeTier.objects.none(), required=False
    )
    wastewater_m3 = forms.DecimalField(
        label=_("ปริมาณน้ำเสีย (ลบ.ม./เดือน)"), required=False, min_value=Decimal("0.01")
    )

    class Meta:
        model = Payer
        fields = [
            "code",
            "name",
            "kind",
            "house_no",
            "community",
            "address",
            "occupancy",
            "phone",
            "email",
            "national_id",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["garbage_tier"].queryset = FeeTier.objects.filter(fee_type__code="garbage")
        self.fields["wastewater_tier"].queryset = FeeTier.objects.filter(fee_type__code="wastewater")
        if self.instance.pk:
            self.fields["code"].disabled = True
            for fee in self.instance.fees.filter(is_active=True).select_related("tier__fee_type"):
                if fee.tier.fee_type.code == "garbage":
                    self.initial["garbage_tier"] = fee.tier.pk
                elif fee.tier.fee_type.code == "wastewater":
                    self.initial["wastewater_tier"] = fee.tier.pk
                    self.initial["wastewater_m3"] = fee.quantity

    def clean_phone(self):
        from services.common.thai_phone import normalize_thai_phone

        phone = self.cleaned_data["phone"].strip()
        if phone and not normalize_thai_phone(phone):
            raise ValidationError(_("หมายเลขโทรศัพท์ไม่ถูกต้อง (Not a valid Thai phone number)"))
        return normalize_thai_phone(phone) if phone else ""

    def clean(self):
        data = super().clean()
        tier = data.get("wastewater_tier")
        if tier and tier.basis == FeeTier.Basis.PER_CUBIC_METRE and not data.get("wastewater_m3"):
            self.add_error("wastewater_m3", _("ต้องระบุปริมาณน้ำเสีย (m³ a month is required for this rate)"))
        return data


@staff_required
def payer_edit(request, code: str | None = None):
    """Add a payer or change one (registry details and the recurring fees billed to them)."""
    _require(request, "payments.change_payer" if code else "payments.add_payer")
    payer = get_object_or_404(Payer, code=code) if code else None
    form = PayerForm(request.POST if request.method == "POST" else None, instance=payer)
    if request.method == "POST" and form.is_valid():
        fees = []
        if form.cleaned_data.get("garbage_tier"):
            fees.append((form.cleaned_data["garbage_tier"], Decimal("1")))
        if form.cleaned_data.get("wastewater_tier"):
            fees.append(
                (form.cleaned_data["wastewater_tier"], form.cleaned_data.get("wastewater_m3") or Decimal("1"))
            )
        saved = actions.save_payer(payer=form.instance, fees=fees, by=request.user)
        messages.success(request, _("บันทึกผู้ชำระแล้ว"))
        return redirect("payments:staff_payer", code=saved.code)
    return _render(request, "payments/staff/payer_form.html", {"form": form, "payer": payer})
