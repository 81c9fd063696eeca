"""Shared records of every schema: stored files, gapless number series, notification outbox."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .secret_box import EncryptedBinaryField, EncryptedTextField


def upload_path(instance: StoredFile, filename: str) -> str:
    # The storage prefixes the schema name; inside it, files are grouped by purpose and month.
    return f"{instance.purpose or 'misc'}/{instance.created_at:%Y/%m}/{instance.public_id.hex}"


class StoredFile(models.Model):
    """ไฟล์แนบ — an uploaded file of this town, private unless marked public."""

    class Visibility(models.TextChoices):
        PRIVATE = "private", _("เฉพาะผู้มีสิทธิ์")
        PUBLIC = "public", _("สาธารณะ")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(upload_to=upload_path, max_length=300)
    purpose = models.CharField(_("ใช้สำหรับ"), max_length=40, blank=True)
    original_name = models.CharField(_("ชื่อไฟล์เดิม"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("ไฟล์")
        verbose_name_plural = _("ไฟล์")

    def __str__(self) -> str:
        return self.original_name


class NumberSeries(models.Model):
    """A gapless counter per (series, period), e.g. ("receipt", "2570"). Locked FOR UPDATE by users."""

    series = models.CharField(max_length=50)
    period = models.CharField(max_length=20)
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["series", "period"], name="uniq_number_series_period")]

    def __str__(self) -> str:
        return f"{self.series}/{self.period}: {self.last_value}"


class OutboxMessage(models.Model):
    """ข้อความรอส่ง — a message leaving the system, written in the business transaction."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("อีเมล")
        SMS = "sms", _("SMS")
        LINE = "line", _("LINE")

    class Status(models.TextChoices):
        PENDING = "pending", _("รอส่ง")
        SENT = "sent", _("ส่งแล้ว")
        FAILED = "failed", _("ส่งไม่สำเร็จ")
        EXPIRED = "expired", _("หมดอายุ ไม่ได้ส่ง")

    idempotency_key = models.CharField(max_length=200, unique=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient = models.CharField(max_length=254)
    subject = models.CharField(max_length=255, blank=True)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # What the provider said: who carried it, its id there, and the last delivery state it reported
    # ("accepted" on hand-over; "delivered"/"undelivered"/... when a signed receipt arrives).
    provider = models.CharField(max_length=30, blank=True)
    provider_message_id = models.CharField(max_length=100, blank=True, db_index=True)
    provider_status = models.CharField(max_length=30, blank=True)
    provider_status_at = models.DateTimeField(null=True, blank=True)
    # SMS parts billed (UCS-2 Thai: 70 characters alone, 67 per part when concatenated) and their price.
    segments = models.PositiveSmallIntegerField(default=0)
    cost = models.DecimalField(max_digits=10, decimal_places=4, default=0)
    # LINE: the webhook's reply token, tried once (free) before a push; cleared after the attempt.
    reply_token = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = _("ข้อความรอส่ง")
        verbose_name_plural = _("ข้อความรอส่ง")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["channel", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.channel} → {self.recipient} ({self.status})"


class PhoneCode(models.Model):
    """A live one-time code texted to a phone (services/common/phone_verification.py): only its
    keyed hash, the wrong tries so far and when it dies. One row per (purpose, phone); the row lock
    makes the try limit hold against concurrent guesses."""

    purpose = models.CharField(max_length=120)
    phone = models.CharField(max_length=20)
    digest = models.CharField(max_length=64)
    nonce = models.CharField(max_length=32)
    tries = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["purpose", "phone"], name="uniq_phone_code_purpose_phone")]
        indexes = [models.Index(fields=["expires_at"], name="phone_code_expiry")]

    def __str__(self) -> str:
        return f"{self.purpose}:{self.phone}"


class MessagingSettings(models.Model):
    """ช่องทางส่งข้อความของเทศบาล — one row per town: its own SMS account, sender, e-mail identity.

    Blank fields fall back to the platform's defaults (environment variables); a town that buys its
    own SMS credit sets its provider and credentials here (sealed at rest)."""

    class SmsProvider(models.TextChoices):
        PLATFORM = "", _("ใช้ค่าของแพลตฟอร์ม")
        THAIBULKSMS = "thaibulksms", "ThaiBulkSMS"
        TWILIO = "twilio", "Twilio"
        FILE = "file", _("ไฟล์ (ทดสอบ ไม่ส่งจริง)")

    class Force(models.TextChoices):
        STANDARD = "standard", _("มาตรฐาน (standard)")
        CORPORATE = "corporate", _("องค์กร (corporate)")

    sms_provider = models.CharField(_("ผู้ให้บริการ SMS"), max_length=20, choices=SmsProvider.choices, blank=True)
    sms_failover_provider = models.CharField(
        _("ผู้ให้บริการ SMS สำรอง"), max_length=20, choices=SmsProvider.choices, blank=True
    )
    thaibulksms_api_key = EncryptedTextField(_("ThaiBulkSMS API key"), blank=True)
    thaibulksms_api_secret = EncryptedTextField(_("ThaiBulkSMS API secret"), blank=True)
    thaibulksms_sender = models.CharField(_("ชื่อผู้ส่ง ThaiBulkSMS"), max_length=11, blank=True)
    thaibulksms_force = models.CharField(max_length=10, choices=Force.choices, blank=True)
    twilio_account_sid = models.CharField(_("Twilio Account SID"), max_length=64, blank=True)
    twilio_auth_token = EncryptedTextField(_("Twilio auth token"), blank=True)
    twilio_from = models.CharField(_("ผู้ส่ง Twilio (เบอร์หรือชื่อ)"), max_length=20, blank=True)
    sms_price_per_part = models.DecimalField(
        _("ราคาต่อ SMS หนึ่งส่วน (บาท)"), max_digits=8, decimal_places=4, null=True, blank=True
    )
    email_from_name = models.CharField(_("ชื่อผู้ส่งอีเมล"), max_length=100, blank=True)
    email_from_address = models.EmailField(_("อีเมลผู้ส่ง (บนโดเมนของเทศบาล)"), blank=True)
    email_reply_to = models.EmailField(_("อีเมลสำหรับตอบกลับ"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ช่องทางส่งข้อความ")
        verbose_name_plural = _("ช่องทางส่งข้อความ")

    def __str__(self) -> str:
        return self.sms_provider or "platform"

    @classmethod
    def current(cls) -> MessagingSettings:
        """This town's row (made on first use)."""
        row = cls.objects.order_by("pk").first()
        return row or cls.objects.create()

class SigningSettings(models.Model):
    """ลายมือชื่อดิจิทัลของหน่วยงาน — the town's certificate for every official PDF (one row).

    The PKCS#12 file and its passphrase are sealed with the project's data keys (secret_box), never
    with SECRET_KEY; `rotate_data_keys` re-seals them.
    """

    class OnFailure(models.TextChoices):
        UNSIGNED = "unsigned", _("ออกเอกสารโดยไม่ลงลายมือชื่อ พร้อมข้อความแจ้งว่าไม่ได้ลงนาม")
        QUEUE = "queue", _("ออกเอกสารก่อน แล้วลงลายมือชื่อภายหลังเมื่อระบบพร้อม")

    pkcs12 = EncryptedBinaryField(blank=True, default="", editable=False)
    passphrase = EncryptedTextField(blank=True, default="", editable=False)
    subject = models.CharField(_("ผู้ถือใบรับรอง"), max_length=500, blank=True, editable=False)
    not_valid_before = models.DateTimeField(null=True, blank=True, editable=False)
    not_valid_after = models.DateTimeField(_("ใบรับรองหมดอายุ"), null=True, blank=True, editable=False)
    tsa_url = models.URLField(
        _("ที่อยู่ผู้ให้บริการประทับเวลา (RFC 3161)"),
        blank=True,
        help_text=_("เช่น http://timestamp.example/tsa — เว้นว่างเพื่อลงนามโดยไม่ประทับเวลา"),
    )
    on_failure = models.CharField(
        _("เมื่อลงลายมือชื่อไม่ได้"), max_length=10, choices=OnFailure.choices, default=OnFailure.QUEUE
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ลายมือชื่อดิจิทัลของหน่วยงาน")
        verbose_name_plural = _("ลายมือชื่อดิจิทัลของหน่วยงาน")

    def __str__(self) -> str:
        return self.subject or "—"


class SignedDocument(models.Model):
    """สถานะลายมือชื่อของเอกสาร — whether a stored official PDF carries the town's signature."""

    class Status(models.TextChoices):
        SIGNED = "signed", _("ลงลายมือชื่อดิจิทัลแล้ว")
        PENDING = "pending", _("รอลงลายมือชื่อดิจิทัล")
        UNSIGNED = "unsigned", _("ไม่ได้ลงลายมือชื่อดิจิทัล")

    file = models.OneToOneField(StoredFile, on_delete=models.CASCADE, related_name="signature")
    status = models.CharField(max_length=10, choices=Status.choices)
    reason = models.CharField(max_length=200, blank=True)
    signer_subject = models.CharField(max_length=500, blank=True)
    timestamped = models.BooleanField(default=False)
    signed_at = models.DateTimeField(null=True, blank=True)
    message = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("สถานะลายมือชื่อของเอกสาร")
        verbose_name_plural = _("สถานะลายมือชื่อของเอกสาร")
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.file_id}: {self.status}"
