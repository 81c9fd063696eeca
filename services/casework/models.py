"""Models of the shared case journey: one Case per application, whatever the service.

A service (building permits, food premises) keeps its own details in a one-to-one model and
declares its rules in a CaseType (see registry.py); everything a citizen or officer sees in common
(timeline, documents, deficiencies, inspections, deadlines, fees, certificate) lives here.
"""

from __future__ import annotations

import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.common.models import StoredFile


class CaseKind(models.TextChoices):
    BUILDING_PERMIT = "building_permit", _("ขออนุญาตก่อสร้างอาคาร")
    FOOD_NOTIFICATION = "food_notification", _("แจ้งจัดตั้งสถานที่จำหน่าย/สะสมอาหาร")


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("ร่างคำขอ")  # being filled in by the applicant
    SUBMITTED = "submitted", _("ยื่นแล้ว รอตรวจเอกสาร")  # received; documents not yet checked
    RETURNED = "returned", _("ส่งกลับให้แก้ไขเพิ่มเติม")  # incomplete: a list of fixes was sent
    ACCEPTED = "accepted", _("เอกสารครบ อยู่ระหว่างพิจารณา")  # complete: the statutory clock runs
    INSPECTED = "inspected", _("ตรวจสถานที่แล้ว")
    REVIEWED = "reviewed", _("ตรวจพิจารณาทางเทคนิคแล้ว")
    APPROVED = "approved", _("อนุมัติแล้ว รอชำระค่าธรรมเนียม")
    ISSUED = "issued", _("ออกเอกสารแล้ว")
    REFUSED = "refused", _("ไม่อนุญาต")
    WITHDRAWN = "withdrawn", _("ถอนคำขอ")
    VOID = "void", _("คำขอเป็นอันยกเลิก")  # fixes not made in time


OPEN_STATUSES = (
    CaseStatus.SUBMITTED,
    CaseStatus.RETURNED,
    CaseStatus.ACCEPTED,
    CaseStatus.INSPECTED,
    CaseStatus.REVIEWED,
    CaseStatus.APPROVED,
)
FINAL_STATUSES = (CaseStatus.ISSUED, CaseStatus.REFUSED, CaseStatus.WITHDRAWN, CaseStatus.VOID)


class DeadlineRule(models.TextChoices):
    CALENDAR_DAYS = "calendar", _("วัน")
    WORKING_DAYS = "working", _("วันทำการ")


class Case(models.Model):
    """คำขอ — one application to the town, from draft to certificate, with its statutory clock."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("ประเภทคำขอ"), max_length=30, choices=CaseKind.choices)
    tracking_code = models.CharField(_("เลขที่รับ"), max_length=40, blank=True, db_index=True)
    status = models.CharField(_("สถานะ"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.DRAFT)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("ผู้ยื่น"), on_delete=models.PROTECT, related_name="cases"
    )
    applicant_name = models.CharField(_("ชื่อผู้ยื่น"), max_length=200)
    applicant_national_id = models.CharField(_("เลขประจำตัวประชาชนผู้ยื่น"), max_length=13)
    applicant_phone = models.CharField(_("โทรศัพท์"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("อีเมล"), blank=True)
    title = models.CharField(_("เรื่อง"), max_length=300)
    address = models.TextField(_("ที่ตั้ง"))
    latitude = models.DecimalField(_("ละติจูด"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("ลองจิจูด"), max_digits=9, decimal_places=6)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ผู้รับผิดชอบ"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
    )
    submitted_at = models.DateTimeField(_("วันที่ยื่น"), null=True, blank=True)
    completed_at = models.DateTimeField(_("วันที่เอกสารครบ"), null=True, blank=True)
    decided_at = models.DateTimeField(_("วันที่มีคำสั่ง"), null=True, blank=True)
    decision_reason = models.TextField(_("เหตุผลคำสั่ง"), blank=True)
    # The statutory clock: whose turn it is and until when (a date in Bangkok time).
    due_date = models.DateField(_("ครบกำหนดพิจารณา"), null=True, blank=True)
    due_rule = models.CharField(max_length=10, choices=DeadlineRule.choices, blank=True)
    applicant_due_date = models.DateField(_("ผู้ยื่นต้องแก้ไขภายใน"), null=True, blank=True)
    extensions_used = models.PositiveSmallIntegerField(_("ขยายเวลาแล้ว (ครั้ง)"), default=0)
    # Set when the official ordered corrections after the application was complete (e.g. Building
    # Control Act s.27): the next clock is the shorter one of the case type.
    corrections_ordered = models.BooleanField(_("สั่งให้แก้ไขแบบแปลนแล้ว"), default=False)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("คำขอ")
        verbose_name_plural = _("คำขอ")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["kind", "status"]), models.Index(fields=["due_date"])]
        permissions = [
            ("record_counter_payment", _("บันทึกการรับชำระค่าธรรมเนียมที่เคาน์เตอร์")),
            ("view_all_cases", _("ดูคำขอทั้งหมด")),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_code or _('ร่าง')} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def days_left(self) -> int | None:
        if self.due_date is None:
            return None
        from services.common.buddhist_era import BANGKOK

        return (self.due_date - timezone.now().astimezone(BANGKOK).date()).days

    @property
    def days_overdue(self) -> int:
        left = self.days_left
        return -left if left is not None and left < 0 else 0

    @property
    def is_overdue(self) -> bool:
        left = self.days_left
        return left is not None and left < 0

    def record_transition(self, *, old, new, by, note: str = "") -> None:
        """Called by services.common.workflow.move(): one timeline row per status change."""
        CaseEvent.objects.create(
            case=self,
            kind=CaseEvent.Kind.STATUS,
            from_status=str(old),
            to_status=str(new),
            actor=by if (by is not None and getattr(by, "is_authenticated", False)) else None,
            message=note,
        )


class CaseEvent(models.Model):
    """เหตุการณ์ — one line of a case's timeline; citizens see the public ones."""

    class Kind(models.TextChoices):
        STATUS = "status", _("เปลี่ยนสถานะ")
        DOCUMENT = "document", _("เอกสาร")
        DEFICIENCY = "deficiency", _("ขอเอกสารเพิ่มเติม")
        INSPECTION = "inspection", _("ตรวจสถานที่")
        DEADLINE = "deadline", _("กำหนดเวลา")
        ESCALATION = "escalation", _("แจ้งเตือนผู้บังคับบัญชา")
        FEE = "fee", _("ค่าธรรมเนียม")
        CERTIFICATE = "certificate", _("เอกสารสิทธิ์")
        NOTE = "note", _("บันทึก")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    message = models.TextField(blank=True)
    is_public = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("เหตุการณ์ของคำขอ")
        verbose_name_plural = _("เหตุการณ์ของคำขอ")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.at:%Y-%m-%d}"

    @property
    def status_label(self) -> str:
        return (
            str(CaseStatus(self.to_status).label) if self.to_status in CaseStatus.values else self.to_status
        )


class DocumentRequirement(models.Model):
    """รายการเอกสารที่ต้องยื่น — one line of a service's checklist; each town edits its own list."""

    kind = models.CharField(_("ประเภทคำขอ"), max_length=30, choices=CaseKind.choices)
    code = models.SlugField(_("รหัส"), max_length=40)
    title_th = models.CharField(_("ชื่อเอกสาร"), max_length=300)
    title_en = models.CharField(_("ชื่อภาษาอังกฤษ"), max_length=300, blank=True)
    help_text = models.TextField(_("คำอธิบาย"), blank=True)
    is_required = models.BooleanField(_("บังคับ"), default=True)
    # Only when the applicant is not the land owner / only for own plans, etc.: see the CaseType.
    condition = models.CharField(_("เงื่อนไข"), max_length=40, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("เอกสารที่ต้องยื่น")
        verbose_name_plural = _("เอกสารที่ต้องยื่น")
        ordering = ["kind", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="uniq_requirement_kind_code")]

    def __str__(self) -> str:
        return self.title_th


class CaseDocument(models.Model):
    """เอกสารแนบ — one uploaded file of a case; a newer upload supersedes, the old one stays on record."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    requirement = models.ForeignKey(
        DocumentRequirement, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    is_superseded = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("เอกสารแนบคำขอ")
        verbose_name_plural = _("เอกสารแนบคำขอ")
        ordering = ["requirement__order", "uploaded_at"]

    def __str__(self) -> str:
        return self.file.original_name


class Deficiency(models.Model):
    """หนังสือแจ้งให้แก้ไข — what is missing or wrong, sent back to the applicant with a reply deadline."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deficiencies")
    items = models.JSONField(_("รายการที่ต้องแก้ไข"), default=list)  # [{"requirement": code|None, "text": "..."}]
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    reply_due_date = models.DateField(_("แก้ไขภายใน"), null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    applicant_reply = models.TextField(_("คำชี้แจงของผู้ยื่น"), blank=True)

    class Meta:
        verbose_name = _("รายการขอให้แก้ไข")
        verbose_name_plural = _("รายการขอให้แก้ไข")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.case_id} @ {self.created_at:%Y-%m-%d}"


class Inspection(models.Model):
    """การตรวจสถานที่ — a site or hygiene inspection with notes, checklist answers and photos."""

    class Result(models.TextChoices):
        PASS = "pass", _("ผ่าน")
        FIX = "fix", _("ต้องแก้ไข")
        FAIL = "fail", _("ไม่ผ่าน")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="inspections")
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    inspected_on = models.DateField(_("วันที่ตรวจ"))
    result = models.CharField(_("ผลการตรวจ"), max_length=10, choices=Result.choices)
    notes = models.TextField(_("บันทึกการตรวจ"), blank=True)
    checklist = models.JSONField(default=list, blank=True)  # [{"code": "...", "title": "...", "ok": true}]
    photos = models.ManyToManyField(StoredFile, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("การตรวจสถานที่")
        verbose_name_plural = _("การตรวจสถานที่")
        ordering = ["-inspected_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.inspected_on}"


class Certificate(models.Model):
    """ใบอนุญาต / หนังสือรับรอง — the official document a case ends with, numbered per BE year."""

    class Status(models.TextChoices):
        VALID = "valid", _("ใช้ได้")
        SUSPENDED = "suspended", _("ถูกสั่งพักใช้/หยุดกิจการ")
        REVOKED = "revoked", _("ถูกเพิกถอน")

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="certificate")
    kind = models.CharField(max_length=30, choices=CaseKind.choices)
    series = models.CharField(max_length=50)
    be_year = models.PositiveIntegerField()
    number = models.PositiveIntegerField()
    issued_on = models.DateField(_("วันที่ออก"))
    valid_until = models.DateField(_("ใช้ได้ถึง"), null=True, blank=True)
    status = models.CharField(_("สถานะ"), max_length=12, choices=Status.choices, default=Status.VALID)
    status_reason = models.TextField(_("เหตุผล"), blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    holder_name = models.CharField(_("ผู้ได้รับอนุญาต"), max_length=200)
    # What the public register and the verification page may show: no personal data.
    public_summary = models.JSONField(default=dict, blank=True)
    verification_token = models.CharField(max_length=32, unique=True, default="", editable=False)
    pdf = models.ForeignKey(StoredFile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("ใบอนุญาต/หนังสือรับรอง")
        verbose_name_plural = _("ใบอนุญาต/หนังสือรับรอง")
        ordering = ["-be_year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["series", "be_year", "number"], name="uniq_certificate_number"),
        ]

    def __str__(self) -> str:
        return self.display_number

    def save(self, *args, **kwargs):
        if not self.verification_token:
            self.verification_token = secrets.token_urlsafe(16)[:22]
        super().save(*args, **kwargs)

    @property
    def display_number(self) -> str:
        return f"{self.number}/{self.be_year}"

    def is_expired(self, today=None) -> bool:
        from services.common.buddhist_era import BANGKOK

        today = today or timezone.now().astimezone(BANGKOK).date()
        return self.valid_until is not None and self.valid_until < today


class CaseFee(models.Model):
    """ค่าธรรมเนียม — one amount a case owes, raised as an invoice in the payments service."""

    class Purpose(models.TextChoices):
        ISSUE = "issue", _("ค่าธรรมเนียมออกเอกสาร")
        PERIODIC = "periodic", _("ค่าธรรมเนียมรายงวด")
        SURCHARGE = "surcharge", _("เงินเพิ่มกรณีชำระล่าช้า")
        EXTENSION = "extension", _("ค่าธรรมเนียมต่ออายุ")

    class Status(models.TextChoices):
        DUE = "due", _("รอชำระ")
        PAID = "paid", _("ชำระแล้ว")
        CANCELLED = "cancelled", _("ยกเลิก")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="fees")
    purpose = models.CharField(max_length=12, choices=Purpose.choices)
    period_label = models.CharField(_("งวด"), max_length=20, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="surcharges"
    )
    amount = models.DecimalField(
        _("จำนวนเงิน"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.00"))]
    )
    lines = models.JSONField(default=list)  # [{"fee_code","description","quantity","unit_price","amount"}]
    rate_version = models.CharField(_("ฉบับอัตรา"), max_length=100, blank=True)
    due_date = models.DateField(_("ครบกำหนดชำระ"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DUE)
    invoice_reference = models.CharField(_("เลขที่ใบแจ้งหนี้"), max_length=60, blank=True)
    payment_url = models.CharField(_("หน้าชำระเงิน"), max_length=300, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    payment_reference = models.CharField(_("อ้างอิงการชำระ"), max_length=100, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ค่าธรรมเนียมคำขอ")
        verbose_name_plural = _("ค่าธรรมเนียมคำขอ")
        ordering = ["-created_at"]
        constraints = [
            # One periodic fee per certificate case and period; one surcharge per late fee.
            models.UniqueConstraint(
                fields=["case", "purpose", "period_label"],
                # Written as OR rather than IN: PostgreSQL prints an IN-list predicate differently after
                # a dump and restore, and town schemas are made by replaying the template's dump.
                condition=models.Q(purpose="periodic") | models.Q(purpose="issue"),
                name="uniq_fee_per_period",
            ),
            models.UniqueConstraint(
                fields=["parent"], condition=models.Q(purpose="surcharge"), name="uniq_surcharge_per_fee"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.amount}"


class FeeRate(models.Model):
    """อัตราค่าธรรมเนียม — a dated, town-editable rate; the version label is stored on every fee."""

    class Unit(models.TextChoices):
        FLAT = "flat", _("ต่อฉบับ/ต่อปี")
        PER_SQUARE_METRE = "per_m2", _("ต่อตารางเมตร")

    kind = models.CharField(_("ประเภทคำขอ"), max_length=30, choices=CaseKind.choices)
    fee_code = models.SlugField(_("รหัสค่าธรรมเนียม"), max_length=40)
    description_th = models.CharField(_("รายการ"), max_length=300)
    unit = models.CharField(_("หน่วย"), max_length=10, choices=Unit.choices)
    amount = models.DecimalField(
        _("อัตรา (บาท)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.00"))]
    )
    # Bands: the rate applies when the case fits all the limits that are set.
    max_floors = models.PositiveSmallIntegerField(_("ไม่เกิน (ชั้น)"), null=True, blank=True)
    max_height_m = models.DecimalField(
        _("สูงไม่เกิน (เมตร)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    min_area_m2 = models.DecimalField(
        _("พื้นที่ตั้งแต่ (ตร.ม.)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    max_area_m2 = models.DecimalField(
        _("พื้นที่ไม่เกิน (ตร.ม.)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    valid_from = models.DateField(_("ใช้ตั้งแต่"))
    valid_to = models.DateField(_("ใช้ถึง"), null=True, blank=True)
    version = models.CharField(_("ฉบับ/ที่มา"), max_length=100)

    class Meta:
        verbose_name = _("อัตราค่าธรรมเนียม")
        verbose_name_plural = _("อัตราค่าธรรมเนียม")
        ordering = ["kind", "fee_code", "-valid_from"]

    def __str__(self) -> str:
        return f"{self.description_th} {self.amount} ({self.version})"


class ServiceSettings(models.Model):
    """ค่าตั้งของบริการ — what each town decides for a service (validity, fee periods, escalation)."""

    kind = models.CharField(max_length=30, choices=CaseKind.choices, unique=True)
    certificate_validity_days = models.PositiveIntegerField(
        _("อายุใบอนุญาต (วัน)"), null=True, blank=True, help_text=_("เว้นว่าง = ไม่มีวันหมดอายุ")
    )
    fee_period_months = models.PositiveSmallIntegerField(_("งวดค่าธรรมเนียม (เดือน)"), default=12)
    fee_due_days = models.PositiveSmallIntegerField(_("ชำระภายใน (วัน) นับจากต้นงวด"), default=30)
    reminder_days = models.PositiveSmallIntegerField(_("เตือนก่อนครบกำหนด (วัน)"), default=15)
    suspend_after_unpaid_periods = models.PositiveSmallIntegerField(
        _("สั่งหยุดเมื่อค้างชำระติดต่อกัน (งวด)"), default=3
    )
    warn_days_before_due = models.PositiveSmallIntegerField(_("แจ้งเตือนผู้บังคับบัญชาก่อนครบกำหนด (วัน)"), default=7)
    max_upload_mb = models.PositiveSmallIntegerField(_("ขนาดไฟล์สูงสุด (MB)"), default=10)
    # A late periodic fee's surcharge; empty = the service's statutory rate (food: s.65, 20 %).
    late_surcharge_percent = models.DecimalField(
        _("เงินเพิ่มเมื่อชำระล่าช้า (ร้อยละ)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        verbose_name = _("ค่าตั้งของบริการ")
        verbose_name_plural = _("ค่าตั้งของบริการ")

    def __str__(self) -> str:
        return self.get_kind_display()
