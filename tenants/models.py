"""Municipality (the tenant) and its Domains, in the public schema."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

from services.common.thai_id import validate_thai_id

SERVICE_CODES = ("complaints", "building_permits", "food_premises", "payments", "correspondence")
# Host labels that can never be a town's subdomain.
RESERVED_SUBDOMAINS = frozenset(
    {"www", "api", "admin", "static", "media", "mail", "smtp", "ftp", "platform", "console", "dga",
     "app", "assets", "cdn", "status", "help", "support", "docs", "public", "localhost"}
)
SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,28}[a-z0-9])$")


def validate_subdomain(value: str) -> None:
    """A town's subdomain: lowercase ASCII letters, digits and inner hyphens, 3–30 characters."""
    if not SLUG_PATTERN.match(value or ""):
        raise ValidationError(
            _("ชื่อโดเมนย่อยต้องเป็นอักษรอังกฤษตัวเล็ก ตัวเลข หรือขีดกลาง 3–30 ตัว (Subdomain must be 3–30 lowercase letters, digits or inner hyphens)"),
            code="invalid_subdomain",
        )
    if value in RESERVED_SUBDOMAINS:
        raise ValidationError(
            _("ชื่อโดเมนย่อยนี้สงวนไว้ (This subdomain is reserved)"), code="reserved_subdomain"
        )


def schema_name_for(slug: str) -> str:
    """The schema name a new town gets: fixed at creation, independent of later subdomain changes."""
    return "town_" + slug.replace("-", "_")


class MunicipalityKind(models.TextChoices):
    CITY = "city", _("เทศบาลนคร")
    TOWN = "town", _("เทศบาลเมือง")
    SUBDISTRICT = "subdistrict", _("เทศบาลตำบล")
    SAO = "sao", _("องค์การบริหารส่วนตำบล")


class MunicipalityStatus(models.TextChoices):
    DRAFT = "draft", _("ร่าง")
    PROVISIONING = "provisioning", _("กำลังจัดเตรียม")
    LIVE = "live", _("เปิดให้บริการ")
    SUSPENDED = "suspended", _("ระงับชั่วคราว")
    ARCHIVED = "archived", _("เก็บถาวร")


class Municipality(TenantMixin):
    """องค์กรปกครองส่วนท้องถิ่น — one local government body, with its own schema."""

    slug = models.CharField(_("โดเมนย่อย"), max_length=30, unique=True, validators=[validate_subdomain])
    name_th = models.CharField(_("ชื่อภาษาไทย"), max_length=200)
    name_en = models.CharField(_("ชื่อภาษาอังกฤษ"), max_length=200)
    short_code = models.CharField(
        _("อักษรย่อ"), max_length=5, unique=True,
        validators=[RegexValidator(r"^[A-Z]{2,5}$", _("อักษรอังกฤษตัวใหญ่ 2–5 ตัว (2–5 capital letters)"))],
        help_text=_("ใช้นำหน้าเลขติดตามเรื่อง เช่น BSR-2569-000123"),
    )
    kind = models.CharField(_("ประเภท"), max_length=20, choices=MunicipalityKind.choices)
    lao_code = models.CharField(
        _("รหัส อปท."), max_length=8, unique=True,
        validators=[RegexValidator(r"^\d{8}$", _("รหัส อปท. ต้องเป็นตัวเลข 8 หลัก (LAO code must be 8 digits)"))],
    )
    province_code = models.CharField(_("รหัสจังหวัด"), max_length=2, blank=True)
    province = models.CharField(_("จังหวัด"), max_length=100)
    district_code = models.CharField(_("รหัสอำเภอ"), max_length=4, blank=True)
    district = models.CharField(_("อำเภอ"), max_length=100)
    tax_id = models.CharField(
        _("เลขประจำตัวผู้เสียภาษี"), max_length=13, unique=True, validators=[validate_thai_id]
    )
    address = models.TextField(_("ที่อยู่สำนักงาน"), blank=True)
    phone = models.CharField(_("โทรศัพท์"), max_length=20, blank=True)
    email = models.EmailField(_("อีเมล"), blank=True)
    status = models.CharField(
        _("สถานะ"), max_length=20, choices=MunicipalityStatus.choices, default=MunicipalityStatus.DRAFT
    )
    status_reason = models.TextField(_("เหตุผลของสถานะ"), blank=True)
    enabled_services = models.JSONField(_("บริการที่เปิดใช้"), default=list, blank=True)
    # {"colour": "#0b5394", "logo": "<stored path>", "welcome_th": "...", "welcome_en": "..."}
    branding = models.JSONField(_("รูปลักษณ์"), default=dict, blank=True)
    # GeoJSON Polygon or MultiPolygon (WGS 84), validated by onboarding.
    boundary = models.JSONField(_("ขอบเขตพื้นที่"), null=True, blank=True)
    # Thai QR: biller ID (tax ID + 2-digit suffix) for tag 30, and/or a PromptPay ID for tag 29.
    promptpay_biller_id = models.CharField(
        _("รหัสผู้รับชำระ (Biller ID)"), max_length=15, blank=True,
        validators=[RegexValidator(r"^\d{15}$", _("Biller ID ต้องเป็นตัวเลข 15 หลัก (must be 15 digits)"))],
    )
    promptpay_id = models.CharField(_("พร้อมเพย์"), max_length=15, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    went_live_at = models.DateTimeField(null=True, blank=True)
    # Filled by the per-town heartbeat task (aggregates only).
    staff_count = models.PositiveIntegerField(default=0)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # Added by onboarding: the communities (ชุมชน) of the town and the per-service settings chosen
    # in the wizard (complaint categories, fee schedules, letter prefix…), read by the service apps.
    communities = models.JSONField(_("ชุมชน"), default=list, blank=True)
    service_settings = models.JSONField(_("ค่าตั้งต้นของบริการ"), default=dict, blank=True)

    auto_create_schema = True
    auto_drop_schema = False

    class Meta:
        verbose_name = _("องค์กรปกครองส่วนท้องถิ่น")
        verbose_name_plural = _("องค์กรปกครองส่วนท้องถิ่น")
        ordering = ["name_th"]
        indexes = [models.Index(fields=["status"]), models.Index(fields=["province"])]

    def __str__(self) -> str:
        return self.name_th

    def save(self, *args, **kwargs):
        if self.pk:
            original = type(self).objects.filter(pk=self.pk).values_list("schema_name", flat=True).first()
            if original and original != self.schema_name:
                raise ValidationError(_("ไม่สามารถเปลี่ยนชื่อ schema ได้ (The schema name is immutable)"))
        elif not self.schema_name:
            self.schema_name = schema_name_for(self.slug)
        super().save(*args, **kwargs)

    @property
    def is_live(self) -> bool:
        return self.status == MunicipalityStatus.LIVE

    @property
    def primary_host(self) -> str:
        return f"{self.slug}.{settings.PLATFORM_DOMAIN}"

    def has_service(self, code: str) -> bool:
        return code in (self.enabled_services or [])

    def name(self, language: str = "th") -> str:
        return self.name_en if language == "en" and self.name_en else self.name_th


class Domain(DomainMixin):
    """A host name that reaches a town: `<slug>.<PLATFORM_DOMAIN>` or a custom domain."""

    class Meta:
        verbose_name = _("โดเมน")
        verbose_name_plural = _("โดเมน")

    def __str__(self) -> str:
        return self.domain

    def save(self, *args, **kwargs):
        self.domain = self.domain.strip().lower().rstrip(".")
        super().save(*args, **kwargs)


class TownBoundary(models.Model):
    """ขอบเขตพื้นที่ — the public index of town boundaries, to find which town a pin falls in.

    Names and boundaries only (both public anyway): it reveals nothing else about a town. The
    bounding box columns let SQL discard most towns before shapely checks the polygon."""

    town = models.OneToOneField(Municipality, on_delete=models.CASCADE, related_name="boundary_index")
    slug = models.CharField(max_length=30)
    name_th = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    is_live = models.BooleanField(default=False)
    min_lat = models.FloatField()
    max_lat = models.FloatField()
    min_lon = models.FloatField()
    max_lon = models.FloatField()
    geojson = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ขอบเขตพื้นที่ (ดัชนี)")
        verbose_name_plural = _("ขอบเขตพื้นที่ (ดัชนี)")
        indexes = [
            models.Index(fields=["is_live", "min_lat", "max_lat"], name="town_boundary_lat"),
            models.Index(fields=["min_lon", "max_lon"], name="town_boundary_lon"),
        ]

    def __str__(self) -> str:
        return self.name_th
