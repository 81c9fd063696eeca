"""A town's registration with the Thai digital-ID providers, and the record of each sign-in.

Each town registers its own client with ThaiD (DOPA) or DGA Digital ID: client id, secret and
redirect URI belong to the town's host, so a Bang Sare registration never signs anyone in on
Na Jomtien. The secret is sealed (services/common/secret_box.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from services.common.secret_box import EncryptedTextField


class DigitalIdProvider(models.Model):
    """ผู้ให้บริการยืนยันตัวตนดิจิทัล — one OpenID Connect client registration of this town."""

    class Kind(models.TextChoices):
        THAID = "thaid", _("ThaiD (กรมการปกครอง)")
        DGA = "dga", _("DGA Digital ID (สพร.)")

    kind = models.CharField(_("ผู้ให้บริการ"), max_length=20, choices=Kind.choices, unique=True)
    issuer = models.URLField(_("Issuer (OpenID Connect)"), max_length=300,
                             help_text=_("ที่อยู่ที่มี /.well-known/openid-configuration"))
    client_id = models.CharField(_("Client ID"), max_length=200)
    client_secret = EncryptedTextField(_("Client secret"), blank=True)
    redirect_uri = models.URLField(_("Redirect URI"), max_length=300, blank=True,
                                   help_text=_("เว้นว่าง = ที่อยู่ของเทศบาลนี้ /accounts/digital-id/callback/"))
    scope = models.CharField(_("Scope"), max_length=200, default="openid pid given_name family_name")
    national_id_claim = models.CharField(_("Claim ที่เป็นเลขประจำตัวประชาชน"), max_length=40, default="pid")
    is_active = models.BooleanField(_("เปิดใช้"), default=True)

    class Meta:
        verbose_name = _("ผู้ให้บริการยืนยันตัวตนดิจิทัล")
        verbose_name_plural = _("ผู้ให้บริการยืนยันตัวตนดิจิทัล")
        permissions = [("manage_digital_id", _("ตั้งค่าการยืนยันตัวตนดิจิทัล"))]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def button_label(self) -> str:
        return "ThaiD" if self.kind == self.Kind.THAID else "DGA Digital ID"


class DigitalIdSignIn(models.Model):
    """One completed digital-ID sign-in. The nonce is unique: an ID token is good for one sign-in only."""

    provider = models.ForeignKey(DigitalIdProvider, on_delete=models.PROTECT, related_name="sign_ins")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digital_id_sign_ins")
    subject = models.CharField(max_length=255)
    nonce_hash = models.CharField(max_length=64, unique=True)
    signed_in_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-signed_in_at"]

    def __str__(self) -> str:
        return f"{self.provider_id}:{self.subject}"


class AssistedFiling(models.Model):
    """ยื่นแทน — a permit application or food notification filed at the counter or by a B-Buddy
    volunteer for a person who could not file online. Who filed, how the identity was checked and
    that consent was given in person are kept; the applicant takes the case over by signing in."""

    class Channel(models.TextChoices):
        COUNTER = "counter", _("เคาน์เตอร์บริการ")
        BBUDDY = "bbuddy", _("อาสาสมัคร B-Buddy")

    class IdentityCheck(models.TextChoices):
        ID_CARD = "id_card", _("ตรวจบัตรประจำตัวประชาชนตัวจริง")
        ID_CARD_READER = "card_reader", _("อ่านบัตรด้วยเครื่องอ่านบัตร")

    case = models.OneToOneField("casework.Case", on_delete=models.CASCADE, related_name="assisted_filing")
    channel = models.CharField(_("ช่องทาง"), max_length=10, choices=Channel.choices)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("ผู้ยื่นแทน"))
    applicant_national_id = models.CharField(_("เลขประจำตัวประชาชนผู้ยื่น (ตรวจแล้ว)"), max_length=13)
    identity_check = models.CharField(_("วิธีตรวจสอบตัวตน"), max_length=12, choices=IdentityCheck.choices)
    consent_in_person = models.BooleanField(_("ผู้ยื่นยินยอมด้วยตนเอง"))
    consent_at = models.DateTimeField(_("ยินยอมเมื่อ"))
    takeover_token_hash = models.CharField(max_length=64, unique=True)
    taken_over_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")
    taken_over_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("การยื่นแทน")
        verbose_name_plural = _("การยื่นแทน")
        permissions = [("file_case_on_behalf", _("ยื่นคำขออนุญาต/แจ้งสถานที่อาหารแทนประชาชน"))]

    def __str__(self) -> str:
        return f"{self.case_id} ({self.channel})"
