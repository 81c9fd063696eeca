"""Users, departments. One table per schema: auth never crosses towns."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from services.common.thai_phone import validate_thai_phone


class User(AbstractUser):
    """ผู้ใช้ — a person with an account in one schema (town staff, citizen, or DGA admin)."""

    class Kind(models.TextChoices):
        STAFF = "staff", _("เจ้าหน้าที่")
        CITIZEN = "citizen", _("ประชาชน")
        PLATFORM_ADMIN = "platform_admin", _("ผู้ดูแลแพลตฟอร์ม (สพร.)")

    kind = models.CharField(_("ประเภทผู้ใช้"), max_length=20, choices=Kind.choices, default=Kind.CITIZEN)
    phone = models.CharField(_("โทรศัพท์"), max_length=20, blank=True, validators=[validate_thai_phone])
    position = models.CharField(_("ตำแหน่ง"), max_length=200, blank=True)
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("กอง/ส่วน"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="members",
    )
    # Set only from a digital-ID sign-in (ThaiD, DGA Digital ID): never typed in by the person.
    # One verified national ID is one account within a town (the constraint below, per schema).
    national_id = models.CharField(_("เลขประจำตัวประชาชน (ยืนยันแล้ว)"), max_length=13, blank=True)
    identity_provider = models.CharField(_("ยืนยันตัวตนโดย"), max_length=40, blank=True)
    identity_verified_at = models.DateTimeField(_("ยืนยันตัวตนเมื่อ"), null=True, blank=True)

    class Meta:
        verbose_name = _("ผู้ใช้")
        verbose_name_plural = _("ผู้ใช้")
        constraints = [
            models.UniqueConstraint(
                fields=["national_id"], condition=~models.Q(national_id=""), name="uniq_user_verified_national_id"
            ),
        ]
        permissions = [
            ("manage_staff", _("จัดการบัญชีเจ้าหน้าที่")),
            ("view_audit_trail", _("ดูบันทึกการตรวจสอบ")),
        ]

    @property
    def is_staff_member(self) -> bool:
        return self.kind == self.Kind.STAFF

    @property
    def verified_national_id(self) -> str:
        """The national ID a digital-ID provider vouched for, or "" for a local account."""
        return self.national_id if self.identity_provider and self.identity_verified_at else ""

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def has_role(self, role: str) -> bool:
        return self.groups.filter(name=role).exists()

    def role_codes(self) -> list[str]:
        return list(self.groups.values_list("name", flat=True))


class Department(models.Model):
    """กอง / ส่วน — a department of the town (สำนักปลัด, กองช่าง, กองคลัง, กองสาธารณสุข…)."""

    code = models.SlugField(_("รหัส"), max_length=40, unique=True)
    name_th = models.CharField(_("ชื่อ"), max_length=200)
    name_en = models.CharField(_("ชื่อภาษาอังกฤษ"), max_length=200, blank=True)
    head = models.ForeignKey(
        User, verbose_name=_("หัวหน้า"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("กอง/ส่วน")
        verbose_name_plural = _("กอง/ส่วน")
        ordering = ["name_th"]

    def __str__(self) -> str:
        # Select boxes and pages follow the page language (English when the name is given).
        return (get_language() == "en" and self.name_en) or self.name_th
