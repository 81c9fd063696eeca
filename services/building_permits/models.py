"""Building permit applications (คำขออนุญาตก่อสร้างอาคาร ข.1) for buildings up to 150 m²."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from services.casework.models import Case, Certificate
from services.common.thai_id import validate_thai_id

# The simplified online service covers small buildings only; larger ones use the regular process.
MAX_FLOOR_AREA_M2 = Decimal("150")
MAX_FLOORS = 3
MAX_HEIGHT_M = Decimal("15")


class DeedType(models.TextChoices):
    CHANOTE = "chanote", _("โฉนดที่ดิน")
    NS3K = "ns3k", _("น.ส.3 ก")
    NS3 = "ns3", _("น.ส.3")
    OTHER = "other", _("เอกสารสิทธิ์อื่น")


class BuildingUse(models.TextChoices):
    HOUSE = "house", _("บ้านพักอาศัย")
    HOUSE_SHOP = "house_shop", _("บ้านพักอาศัยและร้านค้า")
    STORAGE = "storage", _("โรงเก็บของ / โรงจอดรถ")
    OTHER = "other", _("อื่น ๆ")


class PlanSource(models.TextChoices):
    STANDARD = "standard", _("แบบบ้านมาตรฐาน (แบบบ้านเพื่อประชาชน)")
    OWN = "own", _("แบบแปลนของผู้ยื่นเอง")


class StandardHousePlan(models.Model):
    """แบบบ้านมาตรฐาน — a free standard house plan the town offers (town-editable list)."""

    code = models.SlugField(_("รหัสแบบ"), max_length=40, unique=True)
    name_th = models.CharField(_("ชื่อแบบ"), max_length=200)
    floors = models.PositiveSmallIntegerField(_("จำนวนชั้น"))
    floor_area_m2 = models.DecimalField(_("พื้นที่ใช้สอย (ตร.ม.)"), max_digits=7, decimal_places=2)
    height_m = models.DecimalField(_("ความสูง (เมตร)"), max_digits=5, decimal_places=2)
    description = models.TextField(_("รายละเอียด"), blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("แบบบ้านมาตรฐาน")
        verbose_name_plural = _("แบบบ้านมาตรฐาน")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name_th} ({self.floor_area_m2} ตร.ม.)"


class BuildingPermitApplication(models.Model):
    """คำขออนุญาตก่อสร้างอาคาร (แบบ ข.1) — the building details of one permit case."""

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, primary_key=True, related_name="building_permit"
    )
    applicant_is_owner = models.BooleanField(_("ผู้ยื่นเป็นเจ้าของที่ดิน"), default=True)
    owner_name = models.CharField(_("ชื่อเจ้าของที่ดิน"), max_length=200)
    owner_national_id = models.CharField(
        _("เลขประจำตัวประชาชนเจ้าของที่ดิน"), max_length=13, validators=[validate_thai_id]
    )
    deed_type = models.CharField(_("ประเภทเอกสารสิทธิ์"), max_length=10, choices=DeedType.choices)
    deed_number = models.CharField(_("เลขที่เอกสารสิทธิ์"), max_length=30)
    parcel_number = models.CharField(_("เลขที่ดิน"), max_length=30)
    survey_page = models.CharField(_("หน้าสำรวจ"), max_length=30, blank=True)
    building_use = models.CharField(_("ใช้เป็น"), max_length=20, choices=BuildingUse.choices)
    floors = models.PositiveSmallIntegerField(
        _("จำนวนชั้น"), validators=[MinValueValidator(1), MaxValueValidator(MAX_FLOORS)]
    )
    height_m = models.DecimalField(
        _("ความสูง (เมตร)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("2")), MaxValueValidator(MAX_HEIGHT_M)],
    )
    floor_area_m2 = models.DecimalField(
        _("พื้นที่อาคารรวมทุกชั้น (ตร.ม.)"),
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(MAX_FLOOR_AREA_M2)],
    )
    plan_source = models.CharField(_("แบบแปลน"), max_length=10, choices=PlanSource.choices)
    standard_plan = models.ForeignKey(
        StandardHousePlan, verbose_name=_("แบบบ้านมาตรฐาน"), null=True, blank=True, on_delete=models.PROTECT
    )
    engineer_name = models.CharField(_("วิศวกรผู้ออกแบบ"), max_length=200, blank=True)
    engineer_licence = models.CharField(_("เลขทะเบียนใบอนุญาตวิศวกร (กว.)"), max_length=30, blank=True)
    architect_name = models.CharField(_("สถาปนิกผู้ออกแบบ"), max_length=200, blank=True)
    architect_licence = models.CharField(_("เลขทะเบียนใบอนุญาตสถาปนิก (ส.)"), max_length=30, blank=True)
    holder_name = models.CharField(_("ผู้ได้รับอนุญาต"), max_length=200)
    # Building Control Act s.29: the supervisor and the start/end dates, notified before work starts.
    supervisor_name = models.CharField(_("ผู้ควบคุมงาน"), max_length=200, blank=True)
    work_starts_on = models.DateField(_("วันเริ่มงาน"), null=True, blank=True)
    work_ends_on = models.DateField(_("วันสิ้นสุดงาน"), null=True, blank=True)

    class Meta:
        verbose_name = _("คำขออนุญาตก่อสร้างอาคาร")
        verbose_name_plural = _("คำขออนุญาตก่อสร้างอาคาร")
        permissions = [
            ("view_permit_cases", _("ดูคำขออนุญาตก่อสร้าง")),
            ("check_documents", _("ตรวจเอกสารคำขออนุญาตก่อสร้าง")),
            ("inspect_site", _("ตรวจสถานที่ก่อสร้าง")),
            ("review_technical", _("ตรวจพิจารณาแบบแปลน")),
            ("decide_permit", _("อนุญาต/ไม่อนุญาตก่อสร้าง")),
            ("extend_deadline", _("ขยายระยะเวลาพิจารณา")),
            ("revoke_certificate", _("เพิกถอนใบอนุญาตก่อสร้าง")),
            ("decide_permit_request", _("พิจารณาคำขอต่ออายุ/โอนใบอนุญาต")),
        ]

    def __str__(self) -> str:
        return str(self.case)


class PermitRequest(models.Model):
    """คำขอต่ออายุ / โอนใบอนุญาต — a request about an issued permit (s.35 renewal, s.36 transfer)."""

    class Kind(models.TextChoices):
        EXTENSION = "extension", _("ขอต่ออายุใบอนุญาต")
        TRANSFER = "transfer", _("ขอโอนใบอนุญาต")

    class Status(models.TextChoices):
        PENDING = "pending", _("รอพิจารณา")
        APPROVED = "approved", _("อนุญาต")
        REFUSED = "refused", _("ไม่อนุญาต")

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="permit_requests")
    kind = models.CharField(_("ประเภท"), max_length=10, choices=Kind.choices)
    reason = models.TextField(_("เหตุผล"))
    new_holder_name = models.CharField(_("ชื่อผู้รับโอน"), max_length=200, blank=True)
    new_holder_national_id = models.CharField(_("เลขประจำตัวประชาชนผู้รับโอน"), max_length=13, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("ความเห็น"), blank=True)

    class Meta:
        verbose_name = _("คำขอต่ออายุ/โอนใบอนุญาต")
        verbose_name_plural = _("คำขอต่ออายุ/โอนใบอนุญาต")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.certificate}"
