"""Shared records of every schema: stored files, gapless number series, notification outbox."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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

    class Meta:
        verbose_name = _("ข้อความรอส่ง")
        verbose_name_plural = _("ข้อความรอส่ง")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

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
