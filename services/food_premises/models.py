"""Food premises notifications (การแจ้งจัดตั้งสถานที่จำหน่ายอาหาร/สะสมอาหาร) up to 200 m²."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from services.casework.models import Case, Certificate

# Public Health Act B.E. 2535 s.38: premises over 200 m² need a licence, not a notification.
MAX_AREA_M2 = Decimal("200")


class OperatorType(models.TextChoices):
    PERSON = "person", _("บุคคลธรรมดา")
    COMPANY = "company", _("นิติบุคคล")


class BusinessKind(models.TextChoices):
    # Public Health Act s.4: selling (cooked, ready to eat) vs storing (to be cooked by the buyer).
    SELLING = "selling", _("สถานที่จำหน่ายอาหาร")
    STORING = "storing", _("สถานที่สะสมอาหาร")


class HygieneChecklistItem(models.Model):
    """ข้อตรวจสุขลักษณะ — one hygiene check (self-check and inspection); each town edits its list."""

    code = models.SlugField(_("รหัส"), max_length=40, unique=True)
    title_th = models.CharField(_("ข้อตรวจ"), max_length=300)
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("ข้อตรวจสุขลักษณะ")
        verbose_name_plural = _("ข้อตรวจสุขลักษณะ")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.title_th


class FoodPremisesNotification(models.Model):
    """การแจ้งจัดตั้งสถานที่จำหน่าย/สะสมอาหาร — the premises details of one notification case."""

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, primary_key=True, related_name="food_notification"
    )
    operator_type = models.CharField(_("ผู้ประกอบการเป็น"), max_length=10, choices=OperatorType.choices)
    operator_name = models.CharField(_("ชื่อผู้ประกอบการ"), max_length=200)
    operator_id = models.CharField(_("เลขประจำตัวประชาชน/เลขทะเบียนนิติบุคคล"), max_length=13)
    premises_name = models.CharField(_("ชื่อสถานประกอบการ"), max_length=200)
    business_kind = models.CharField(_("ประเภทกิจการ"), max_length=10, choices=BusinessKind.choices)
    area_m2 = models.DecimalField(
        _("พื้นที่ประกอบการ (ตร.ม.)"),
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(MAX_AREA_M2)],
    )
    food_types = models.TextField(_("ประเภทอาหารที่จำหน่าย/สะสม"))
    seats = models.PositiveIntegerField(_("จำนวนที่นั่ง"), default=0, validators=[MaxValueValidator(2000)])
    staff_count = models.PositiveIntegerField(
        _("จำนวนผู้สัมผัสอาหาร/พนักงาน"), validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    hygiene_self_check = models.JSONField(_("ผลการประเมินตนเองด้านสุขลักษณะ"), default=list, blank=True)
    holder_name = models.CharField(_("ผู้ได้รับหนังสือรับรอง"), max_length=200)

    class Meta:
        verbose_name = _("การแจ้งสถานที่จำหน่าย/สะสมอาหาร")
        verbose_name_plural = _("การแจ้งสถานที่จำหน่าย/สะสมอาหาร")
        permissions = [
            ("view_food_cases", _("ดูการแจ้งสถานที่จำหน่ายอาหาร")),
            ("review_notification", _("ตรวจการแจ้งสถานที่จำหน่ายอาหาร")),
            ("inspect_premises", _("ตรวจสุขลักษณะสถานที่")),
            ("issue_certificate", _("ออกหนังสือรับรองการแจ้ง")),
            ("extend_deadline", _("ขยายระยะเวลา (ไม่ใช้กับการแจ้ง)")),
            ("revoke_certificate", _("เพิกถอนหนังสือรับรองการแจ้ง")),
            ("decide_change", _("พิจารณาการเปลี่ยนผู้ประกอบการ/สถานที่")),
        ]

    def __str__(self) -> str:
        return self.premises_name


class ChangeNotice(models.Model):
    """การแจ้งเปลี่ยนแปลง — change of operator or premises of a certified food business."""

    class Kind(models.TextChoices):
        OPERATOR = "operator", _("เปลี่ยนผู้ประกอบการ")
        PREMISES = "premises", _("เปลี่ยนแปลงสถานที่/พื้นที่")

    class Status(models.TextChoices):
        PENDING = "pending", _("รอพิจารณา")
        APPROVED = "approved", _("รับแจ้งแล้ว")
        REFUSED = "refused", _("ไม่รับแจ้ง")

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="change_notices")
    kind = models.CharField(_("ประเภท"), max_length=10, choices=Kind.choices)
    new_operator_name = models.CharField(_("ผู้ประกอบการรายใหม่"), max_length=200, blank=True)
    new_operator_id = models.CharField(_("เลขประจำตัวผู้ประกอบการรายใหม่"), max_length=13, blank=True)
    new_premises_name = models.CharField(_("ชื่อสถานประกอบการใหม่"), max_length=200, blank=True)
    new_area_m2 = models.DecimalField(
        _("พื้นที่ใหม่ (ตร.ม.)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    details = models.TextField(_("รายละเอียด"), blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("การแจ้งเปลี่ยนแปลง")
        verbose_name_plural = _("การแจ้งเปลี่ยนแปลง")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.certificate}"
