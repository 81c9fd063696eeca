"""Models of Fee payment (ชำระค่าธรรมเนียม): fee catalogue, payers, invoices, bank transactions,
payments, receipts, the exceptions queue and the town's payment settings.

Money is Decimal(12, 2) everywhere; a float never reaches a column.
"""

from __future__ import annotations

import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from services.common.secret_box import EncryptedTextField
from services.common.thai_id import validate_thai_id

from .workflow import (
    BillRunStatus,
    ExceptionStatus,
    InvoiceStatus,
    PayerLinkStatus,
    ReceiptStatus,
    StatementStatus,
)

MONEY = {"max_digits": 12, "decimal_places": 2}
ZERO = Decimal("0.00")


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class PaymentSettings(models.Model):
    """ตั้งค่าการรับชำระ — one row per town: QR mode, bank secret, due days, receipt book size."""

    class QrMode(models.TextChoices):
        BILL_PAYMENT = "bill_payment", _("QR ชำระบิล (Tag 30, Biller ID)")
        CREDIT_TRANSFER = "credit_transfer", _("QR พร้อมเพย์โอนเงิน (Tag 29)")

    qr_mode = models.CharField(
        _("รูปแบบ QR"), max_length=20, choices=QrMode.choices, default=QrMode.BILL_PAYMENT
    )
    bank_hmac_secret = models.CharField(_("รหัสลับสำหรับธนาคาร (HMAC)"), max_length=100, default=new_secret)
    timestamp_window_seconds = models.PositiveIntegerField(_("ช่วงเวลาที่ยอมรับ (วินาที)"), default=300)
    due_days = models.PositiveIntegerField(_("กำหนดชำระภายใน (วัน)"), default=30)
    bill_day = models.PositiveSmallIntegerField(
        _("วันที่ออกใบแจ้งหนี้ประจำเดือน"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("Celery beat ออกใบแจ้งหนี้ของเดือนในวันนี้หรือหลังจากนี้ (1–28)"),
    )
    billing_months = models.PositiveSmallIntegerField(
        _("รอบการเรียกเก็บ (เดือน)"),
        default=1,
        choices=[(1, _("รายเดือน")), (3, _("รายไตรมาส")), (6, _("รายครึ่งปี")), (12, _("รายปี"))],
        help_text=_("อัตรารายเดือนจะคูณด้วยจำนวนเดือนในรอบ; อัตรารายปีเรียกเก็บในเดือนตุลาคม"),
    )
    auto_bill_runs = models.BooleanField(_("ออกใบแจ้งหนี้อัตโนมัติ"), default=False)
    receipt_book_size = models.PositiveIntegerField(_("จำนวนใบเสร็จต่อเล่ม"), default=100)
    receiver_name = models.CharField(_("ชื่อผู้รับเงิน (พิมพ์บนใบเสร็จ)"), max_length=200, blank=True)
    receiver_title = models.CharField(_("ตำแหน่งผู้รับเงิน"), max_length=200, blank=True, default="เจ้าหน้าที่การเงิน")

    class Meta:
        verbose_name = _("ตั้งค่าการรับชำระ")
        verbose_name_plural = _("ตั้งค่าการรับชำระ")

    def __str__(self) -> str:
        return str(_("ตั้งค่าการรับชำระ"))

    @classmethod
    def current(cls) -> PaymentSettings:
        """The town's settings row, created on first use."""
        row = cls.objects.order_by("pk").first()
        return row or cls.objects.create()


class PayerKind(models.TextChoices):
    HOUSEHOLD = "household", _("บ้านพักอาศัย")
    SHOP = "shop", _("ร้านค้า")
    MARKET = "market", _("ตลาด")
    RESTAURANT = "restaurant", _("ร้านอาหาร")
    HOTEL = "hotel", _("โรงแรม / หอพัก")
    FACTORY = "factory", _("โรงงาน / สถานประกอบการ")
    OTHER = "other", _("อื่น ๆ")


class FeeType(models.Model):
    """ประเภทค่าธรรมเนียม — one entry of the town's fee catalogue (garbage, wastewater, permit …)."""

    code = models.SlugField(_("รหัส"), max_length=40, unique=True)
    name_th = models.CharField(_("ชื่อ"), max_length=200)
    name_en = models.CharField(_("ชื่อภาษาอังกฤษ"), max_length=200, blank=True)
    is_recurring = models.BooleanField(_("เรียกเก็บเป็นรอบ"), default=False)
    # Ceiling per month set by ministerial regulation; the tiers of the town's ordinance may not
    # exceed it. The exact 2559 table is unverified, so each town enters the figure it applies.
    monthly_cap = models.DecimalField(_("อัตราสูงสุดตามกฎกระทรวง (บาท/เดือน)"), null=True, blank=True, **MONEY)
    legal_basis = models.CharField(_("อ้างอิงกฎหมาย"), max_length=300, blank=True)
    is_active = models.BooleanField(_("ใช้งาน"), default=True)

    class Meta:
        verbose_name = _("ประเภทค่าธรรมเนียม")
        verbose_name_plural = _("ประเภทค่าธรรมเนียม")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_th


class FeeTier(models.Model):
    """อัตราค่าธรรมเนียม — one rate of the ordinance: who pays it, how much, how often, from when."""

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("รายเดือน")
        YEARLY = "yearly", _("รายปี")

    class Basis(models.TextChoices):
        FLAT = "flat", _("อัตราคงที่")
        PER_CUBIC_METRE = "per_m3", _("ต่อลูกบาศก์เมตร")

    fee_type = models.ForeignKey(
        FeeType, on_delete=models.PROTECT, related_name="tiers", verbose_name=_("ประเภท"), db_index=False
    )
    code = models.SlugField(_("รหัสอัตรา"), max_length=40)
    name_th = models.CharField(_("ชื่ออัตรา"), max_length=200)
    payer_kind = models.CharField(_("ประเภทผู้ชำระ"), max_length=20, choices=PayerKind.choices, blank=True)
    frequency = models.CharField(
        _("ความถี่"), max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    basis = models.CharField(_("ฐานคำนวณ"), max_length=10, choices=Basis.choices, default=Basis.FLAT)
    amount = models.DecimalField(_("อัตรา (บาท)"), validators=[MinValueValidator(ZERO)], **MONEY)
    valid_from = models.DateField(_("ใช้ตั้งแต่"))
    valid_to = models.DateField(_("ใช้ถึง"), null=True, blank=True)
    rate_version = models.CharField(_("ฉบับอัตรา / ข้อบัญญัติ"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("อัตราค่าธรรมเนียม")
        verbose_name_plural = _("อัตราค่าธรรมเนียม")
        ordering = ["fee_type__code", "code", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["fee_type", "code", "valid_from"], name="uniq_fee_tier_version"),
        ]

    def __str__(self) -> str:
        return f"{self.fee_type.name_th} — {self.name_th} ({self.amount} บาท/{self.get_frequency_display()})"

    def clean(self) -> None:
        cap = self.fee_type.monthly_cap if self.fee_type_id else None
        if cap is not None and self.basis == self.Basis.FLAT:
            monthly = self.amount / 12 if self.frequency == self.Frequency.YEARLY else self.amount
            if monthly > cap:
                raise ValidationError(
                    {
                        "amount": _(
                            "อัตราเกินเพดานตามกฎกระทรวง %(cap)s บาท/เดือน "
                            "(rate exceeds the legal cap of %(cap)s baht a month)"
                        )
                        % {"cap": cap}
                    }
                )
        if self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("วันสิ้นสุดต้องไม่ก่อนวันเริ่ม (end date before start date)")})


class Payer(models.Model):
    """ผู้ชำระค่าธรรมเนียม — a household or establishment in the town's payer registry."""

    class Occupancy(models.TextChoices):
        OWNER = "owner", _("เจ้าของ")
        OCCUPIER = "occupier", _("ผู้เช่า / ผู้อยู่อาศัย")

    code = models.CharField(
        _("รหัสผู้ชำระ"),
        max_length=20,
        unique=True,
        validators=[
            RegexValidator(r"^[A-Z0-9]{1,20}$", _("อักษรอังกฤษตัวใหญ่หรือตัวเลข 1–20 ตัว (A–Z, 0–9, up to 20)"))
        ],
    )
    kind = models.CharField(
        _("ประเภท"), max_length=20, choices=PayerKind.choices, default=PayerKind.HOUSEHOLD
    )
    name = models.CharField(_("ชื่อผู้ชำระ"), max_length=200)
    house_no = models.CharField(_("บ้านเลขที่"), max_length=40, blank=True)
    community = models.CharField(_("ชุมชน"), max_length=100, blank=True, db_index=True)
    address = models.CharField(_("ที่อยู่"), max_length=300, blank=True)
    occupancy = models.CharField(
        _("สถานะผู้ชำระ"), max_length=10, choices=Occupancy.choices, default=Occupancy.OWNER
    )
    phone = models.CharField(_("โทรศัพท์"), max_length=20, blank=True)
    email = models.EmailField(_("อีเมล"), blank=True)
    # A citizen whose digital-ID sign-in carries this ID sees this payer's bills without more proof.
    national_id = models.CharField(
        _("เลขประจำตัวประชาชน / เลขผู้เสียภาษี"), max_length=13, blank=True, db_index=True,
        validators=[validate_thai_id],
    )
    is_active = models.BooleanField(_("ใช้งาน"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ผู้ชำระ")
        verbose_name_plural = _("ผู้ชำระ")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PayerLink(models.Model):
    """การเชื่อมบัญชีกับผู้ชำระ — proof that a citizen account may see a payer's bills.

    A matching phone number is no proof (family members share phones; numbers are recycled): a link
    is active only after a one-time code to the payer's phone on file, or a finance officer's check."""

    class Method(models.TextChoices):
        PHONE_CODE = "phone_code", _("รหัสยืนยันทาง SMS ถึงเบอร์ของผู้ชำระ")
        TOWN_CONFIRMED = "town", _("เจ้าหน้าที่ตรวจสอบและยืนยัน")

    Status = PayerLinkStatus

    payer = models.ForeignKey(Payer, on_delete=models.CASCADE, related_name="links", verbose_name=_("ผู้ชำระ"), db_index=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="payer_links", verbose_name=_("บัญชี")
    )
    method = models.CharField(_("วิธียืนยัน"), max_length=20, choices=Method.choices, blank=True)
    status = models.CharField(_("สถานะ"), max_length=20, choices=Status.choices, default=Status.REQUESTED)
    note = models.CharField(_("หมายเหตุ"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("การเชื่อมบัญชีกับผู้ชำระ")
        verbose_name_plural = _("การเชื่อมบัญชีกับผู้ชำระ")
        constraints = [models.UniqueConstraint(fields=["payer", "user"], name="uniq_payer_link")]

    def __str__(self) -> str:
        return f"{self.payer.code} ↔ {self.user_id} ({self.status})"


class PayerFee(models.Model):
    """A recurring fee a payer is charged in bill runs (tier × quantity, e.g. m³ a month)."""

    payer = models.ForeignKey(Payer, on_delete=models.CASCADE, related_name="fees", db_index=False)
    tier = models.ForeignKey(FeeTier, on_delete=models.PROTECT, related_name="+", verbose_name=_("อัตรา"))
    quantity = models.DecimalField(_("จำนวน"), max_digits=10, decimal_places=2, default=Decimal("1"))
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("ค่าธรรมเนียมของผู้ชำระ")
        verbose_name_plural = _("ค่าธรรมเนียมของผู้ชำระ")
        constraints = [models.UniqueConstraint(fields=["payer", "tier"], name="uniq_payer_fee_tier")]

    def __str__(self) -> str:
        return f"{self.payer.code}: {self.tier.code} × {self.quantity}"


class BillRun(models.Model):
    """รอบการออกใบแจ้งหนี้ — one billing of all payers for one period; a period is billed once."""

    Status = BillRunStatus

    period = models.DateField(_("งวด (วันแรกของเดือน)"), unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    invoice_count = models.PositiveIntegerField(default=0)
    total = models.DecimalField(default=ZERO, **MONEY)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("รอบการออกใบแจ้งหนี้")
        verbose_name_plural = _("รอบการออกใบแจ้งหนี้")
        ordering = ["-period"]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m}"


class Invoice(models.Model):
    """ใบแจ้งหนี้ — a bill: any fee of the town (garbage, permit, certificate) with its lines and QR."""

    number = models.CharField(_("เลขที่ใบแจ้งหนี้"), max_length=20, unique=True)
    ref1 = models.CharField("Ref1", max_length=20, unique=True)
    ref2 = models.CharField("Ref2", max_length=20, blank=True)
    fiscal_year = models.PositiveIntegerField(_("ปีงบประมาณ"))
    access_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    payer = models.ForeignKey(Payer, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices", db_index=False)
    payer_name = models.CharField(_("ชื่อผู้ชำระ"), max_length=200)
    payer_phone = models.CharField(_("โทรศัพท์"), max_length=20, blank=True)
    payer_email = models.EmailField(_("อีเมล"), blank=True)
    community = models.CharField(_("ชุมชน"), max_length=100, blank=True)
    source = models.CharField(_("ที่มา"), max_length=40)
    source_id = models.CharField(_("รหัสอ้างอิงที่มา"), max_length=64)
    bill_run = models.ForeignKey(
        BillRun, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    issue_date = models.DateField(_("วันที่ออก"))
    due_date = models.DateField(_("กำหนดชำระ"))
    total = models.DecimalField(_("ยอดรวม"), **MONEY)
    paid_amount = models.DecimalField(_("ชำระแล้ว"), default=ZERO, **MONEY)
    status = models.CharField(
        _("สถานะ"), max_length=20, choices=InvoiceStatus.choices, default=InvoiceStatus.OPEN
    )
    qr_payload = models.CharField(_("ข้อมูล QR"), max_length=255, blank=True)
    carried_to = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="carried_from",
        verbose_name=_("ยกยอดไปยังใบแจ้งหนี้"),
    )
    cancel_reason = models.TextField(_("เหตุผลการยกเลิก"), blank=True)
    paid_at = models.DateTimeField(_("ชำระครบเมื่อ"), null=True, blank=True)
    # The chase job (tasks.chase_unconfirmed_bills): when the QR was first shown on the portal, how
    # often the bank was asked, and when to ask next (backing off).
    qr_shown_at = models.DateTimeField(_("แสดง QR ครั้งแรก"), null=True, blank=True)
    inquiry_count = models.PositiveIntegerField(default=0)
    next_inquiry_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ใบแจ้งหนี้")
        verbose_name_plural = _("ใบแจ้งหนี้")
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("run_billing", _("ออกใบแจ้งหนี้ตามรอบ (run bill runs)")),
            ("view_finance", _("ดูรายงานการเงิน (view finance reports)")),
        ]
        constraints = [
            # A source (a permit application, a bill-run line) has one live invoice at a time.
            models.UniqueConstraint(
                fields=["source", "source_id"],
                condition=~Q(status="cancelled"),
                name="uniq_live_invoice_per_source",
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="invoice_total_not_negative"),
        ]
        indexes = [models.Index(fields=["status", "due_date"]), models.Index(fields=["payer", "status"])]

    def __str__(self) -> str:
        return self.number

    @property
    def outstanding(self) -> Decimal:
        return max(self.total - self.paid_amount, ZERO)

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        return self.status == InvoiceStatus.OPEN and self.due_date < timezone.localdate()

    @property
    def is_payable(self) -> bool:
        return self.status == InvoiceStatus.OPEN and self.outstanding > 0

    def record_transition(self, *, old, new, by, note: str = "") -> None:
        """Status changes are audited by django-auditlog when the caller saves."""


class InvoiceLine(models.Model):
    """รายการในใบแจ้งหนี้ — one fee on a bill."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=1)
    fee_code = models.CharField(_("รหัสค่าธรรมเนียม"), max_length=40, db_index=True)
    description = models.CharField(_("รายการ"), max_length=300)
    quantity = models.DecimalField(_("จำนวน"), max_digits=12, decimal_places=2)
    unit_price = models.DecimalField(_("ราคาต่อหน่วย"), **MONEY)
    amount = models.DecimalField(_("จำนวนเงิน"), **MONEY)
    rate_version = models.CharField(_("ฉบับอัตรา"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("รายการในใบแจ้งหนี้")
        verbose_name_plural = _("รายการในใบแจ้งหนี้")
        ordering = ["invoice", "position"]

    def __str__(self) -> str:
        return f"{self.description} {self.amount}"


class BankTransaction(models.Model):
    """รายการจากธนาคาร — one payment the bank told us about (callback or statement line), kept as received."""

    class Channel(models.TextChoices):
        CALLBACK = "callback", _("แจ้งผลจากธนาคาร")
        STATEMENT = "statement", _("ไฟล์รายการประจำวัน")
        COUNTER = "counter", _("ชำระที่เคาน์เตอร์")
        # The chase job asked the bank's inquiry API about a bill whose confirmation never came.
        INQUIRY = "inquiry", _("พบจากการสอบถามธนาคาร")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("รอจับคู่")
        MATCHED = "matched", _("จับคู่แล้ว")
        CONFIRMED = "confirmed", _("ยืนยันรายการที่บันทึกแล้ว")
        EXCEPTION = "exception", _("รายการผิดปกติ")

    channel = models.CharField(max_length=10, choices=Channel.choices)
    bank_code = models.CharField(_("ธนาคาร"), max_length=20, blank=True)
    # The bank's transaction id for callbacks; for statement lines a digest of the line's fields.
    transaction_key = models.CharField(max_length=128, unique=True)
    biller_id = models.CharField(max_length=15, blank=True)
    ref1 = models.CharField(max_length=20, blank=True, db_index=True)
    ref2 = models.CharField(max_length=20, blank=True)
    ref3 = models.CharField(max_length=20, blank=True)
    amount = models.DecimalField(**MONEY)
    paid_at = models.DateTimeField(_("วันเวลาที่ชำระ"))
    payer_name = models.CharField(max_length=200, blank=True)
    raw = models.JSONField(default=dict, blank=True)
    statement = models.ForeignKey(
        "StatementImport", null=True, blank=True, on_delete=models.PROTECT, related_name="transactions"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING, db_index=True)
    # The other channel's earlier report of the same money that this one confirms (outcome CONFIRMED):
    # the end-of-day line after a callback, or a late callback after the line — paid or queued alike.
    confirms = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="confirmation"
    )
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("รายการจากธนาคาร")
        verbose_name_plural = _("รายการจากธนาคาร")
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.channel} {self.ref1} {self.amount}"


class Payment(models.Model):
    """การรับชำระ — money applied to an invoice; exactly one receipt is issued for it."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(**MONEY)
    paid_at = models.DateTimeField(_("วันเวลาที่ชำระ"))
    channel = models.CharField(max_length=10, choices=BankTransaction.Channel.choices)
    bank_transaction = models.OneToOneField(
        BankTransaction, null=True, blank=True, on_delete=models.PROTECT, related_name="payment"
    )
    # The other channel's report of the same payment (the end-of-day line after a callback, or the reverse).
    confirmed_by = models.OneToOneField(
        BankTransaction, null=True, blank=True, on_delete=models.PROTECT, related_name="confirmed_payment"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("การรับชำระ")
        verbose_name_plural = _("การรับชำระ")
        ordering = ["-paid_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")]

    def __str__(self) -> str:
        return f"{self.invoice.number} {self.amount}"


class Receipt(models.Model):
    """ใบเสร็จรับเงิน — official receipt; its number is gapless per fiscal year and never reused."""

    fiscal_year = models.PositiveIntegerField(_("ปีงบประมาณ"))
    sequence = models.PositiveIntegerField(_("ลำดับ"))
    book_no = models.PositiveIntegerField(_("เล่มที่"))
    number_in_book = models.PositiveIntegerField(_("เลขที่"))
    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="receipt")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="receipts")
    payer_name = models.CharField(_("ได้รับเงินจาก"), max_length=200)
    amount = models.DecimalField(_("จำนวนเงิน"), **MONEY)
    issued_at = models.DateTimeField(_("วันที่ออก"))
    receiver_name = models.CharField(_("ผู้รับเงิน"), max_length=200, blank=True)
    verification_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(max_length=10, choices=ReceiptStatus.choices, default=ReceiptStatus.ISSUED)
    cancel_reason = models.TextField(_("เหตุผลการยกเลิก"), blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("ใบเสร็จรับเงิน")
        verbose_name_plural = _("ใบเสร็จรับเงิน")
        ordering = ["-fiscal_year", "-sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "sequence"], name="uniq_receipt_number_per_fiscal_year"
            ),
        ]
        permissions = [("cancel_receipt", _("ยกเลิกใบเสร็จรับเงิน (cancel receipts)"))]

    def __str__(self) -> str:
        return self.display_number

    @property
    def display_number(self) -> str:
        return f"{self.fiscal_year}/{self.sequence:06d}"

    def record_transition(self, *, old, new, by, note: str = "") -> None:
        """Audited by django-auditlog when saved."""


class StatementImport(models.Model):
    """ไฟล์รายการจากธนาคาร — one end-of-day statement file and what became of its lines."""

    class Format(models.TextChoices):
        CSV = "csv", _("CSV")
        BOT = "bot", _("ไฟล์ธนาคารแห่งประเทศไทย 256 ตัวอักษร (TIS-620)")

    Status = StatementStatus

    file_name = models.CharField(max_length=255)
    format = models.CharField(max_length=5, choices=Format.choices)
    sha256 = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DONE)
    error = models.TextField(blank=True)
    # Uploaded through the back-office: kept (private) and reconciled by a Celery task.
    source_file = models.ForeignKey(
        "common.StoredFile", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    line_count = models.PositiveIntegerField(default=0)
    matched_count = models.PositiveIntegerField(default=0)
    confirmed_count = models.PositiveIntegerField(default=0)
    exception_count = models.PositiveIntegerField(default=0)
    duplicate_count = models.PositiveIntegerField(default=0)
    total = models.DecimalField(default=ZERO, **MONEY)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ไฟล์รายการจากธนาคาร")
        verbose_name_plural = _("ไฟล์รายการจากธนาคาร")
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return self.file_name


class PaymentException(models.Model):
    """รายการรอตรวจสอบ — a bank transaction that could not be applied as it stands."""

    class Kind(models.TextChoices):
        UNMATCHED = "unmatched", _("ไม่พบใบแจ้งหนี้")
        PARTIAL = "partial", _("ชำระไม่ครบ")
        OVERPAID = "overpaid", _("ชำระเกิน")
        DOUBLE = "double", _("ชำระซ้ำ")
        NOT_PAYABLE = "not_payable", _("ใบแจ้งหนี้ยกเลิก/ยกยอดแล้ว")
        WRONG_BILLER = "wrong_biller", _("รหัสผู้รับชำระไม่ตรง")
        REVERSED = "reversed", _("ธนาคารแจ้งคืนเงิน/ยกเลิกรายการ")

    class Resolution(models.TextChoices):
        APPLIED = "applied", _("นำไปชำระใบแจ้งหนี้")
        REFUND = "refund", _("คืนเงินผู้ชำระ")
        DISMISSED = "dismissed", _("ไม่ดำเนินการ (ระบุเหตุผล)")

    kind = models.CharField(_("ประเภท"), max_length=20, choices=Kind.choices)
    bank_transaction = models.OneToOneField(
        BankTransaction, on_delete=models.PROTECT, related_name="exception"
    )
    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="exceptions"
    )
    amount = models.DecimalField(**MONEY)
    status = models.CharField(max_length=10, choices=ExceptionStatus.choices, default=ExceptionStatus.OPEN)
    resolution = models.CharField(max_length=10, choices=Resolution.choices, blank=True)
    # Money to give back to the payer: all of it for a refund, the excess when an over-payment is applied.
    refund_amount = models.DecimalField(_("ยอดคืนผู้ชำระ"), default=ZERO, **MONEY)
    note = models.TextField(_("บันทึก"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("รายการรอตรวจสอบ")
        verbose_name_plural = _("รายการรอตรวจสอบ")
        ordering = ["status", "-created_at"]
        permissions = [("resolve_exception", _("แก้ไขรายการรอตรวจสอบ (resolve payment exceptions)"))]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"

    def record_transition(self, *, old, new, by, note: str = "") -> None:
        """Audited by django-auditlog when saved."""


class BankConnection(models.Model):
    """การเชื่อมต่อธนาคาร — how one bank reaches the town (callbacks) and how the town asks it (inquiry,
    statement file). One row per bank; secrets are sealed (services.common.secret_box)."""

    class Bank(models.TextChoices):
        SCB = "scb", _("ธนาคารไทยพาณิชย์ (SCB)")
        KBANK = "kbank", _("ธนาคารกสิกรไทย (KBank)")

    bank = models.CharField(_("ธนาคาร"), max_length=10, choices=Bank.choices, unique=True)
    is_active = models.BooleanField(_("ใช้งาน"), default=True)
    # Neither SCB nor KBank documents how a callback to the merchant is authenticated: the URL the town
    # registers with the bank carries this token (…/confirmations/scb/<token>/), and the proxy may also
    # allow only the bank's addresses (allowed_networks) or require its client certificate.
    callback_token = models.CharField(_("รหัสใน URL แจ้งผล"), max_length=100, default=new_secret)
    allowed_networks = models.TextField(
        _("เครือข่ายที่อนุญาต (CIDR บรรทัดละรายการ)"), blank=True, help_text=_("ว่าง = ไม่จำกัด (ให้ proxy จำกัด)")
    )
    api_base_url = models.URLField(_("URL ของ API ธนาคาร"), blank=True)
    api_key = models.CharField(_("API key / consumer ID"), max_length=200, blank=True)
    api_secret = EncryptedTextField(_("API secret"), blank=True)
    partner_id = models.CharField(_("Partner ID (KBank)"), max_length=20, blank=True)
    partner_secret = EncryptedTextField(_("Partner secret (KBank)"), blank=True)
    merchant_id = models.CharField(_("Merchant ID"), max_length=20, blank=True)
    # KBank's OpenAPI requires two-way TLS: paths of the client certificate and key on the workers.
    client_cert_path = models.CharField(_("ไฟล์ใบรับรองไคลเอนต์"), max_length=300, blank=True)
    client_key_path = models.CharField(_("ไฟล์กุญแจไคลเอนต์"), max_length=300, blank=True)
    inquiry_enabled = models.BooleanField(_("สอบถามรายการที่ยังไม่ได้รับแจ้ง"), default=True)
    inquiries_per_run = models.PositiveIntegerField(_("จำนวนสอบถามสูงสุดต่อรอบ (15 นาที)"), default=30)
    chase_days_after_due = models.PositiveIntegerField(_("สอบถามต่อหลังครบกำหนด (วัน)"), default=7)
    # The day's statement over HTTPS: {date} becomes YYYYMMDD, {biller} the town's biller ID.
    statement_url = models.CharField(_("URL ไฟล์รายการประจำวัน"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("การเชื่อมต่อธนาคาร")
        verbose_name_plural = _("การเชื่อมต่อธนาคาร")
        ordering = ["bank"]

    def __str__(self) -> str:
        return self.get_bank_display()


class ChaseRun(models.Model):
    """รอบสอบถามธนาคาร — one run of the chase job in this town: what it asked and what it found."""

    started_at = models.DateTimeField(auto_now_add=True)
    asked = models.PositiveIntegerField(default=0)
    found = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("รอบสอบถามธนาคาร")
        verbose_name_plural = _("รอบสอบถามธนาคาร")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.found}/{self.asked}"
