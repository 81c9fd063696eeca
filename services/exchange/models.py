"""Exchange models (public schema): the directory of agencies outside the platform, the delivery
queue between agencies, and the log of refused inbound messages.

Platform towns are not rows here: they are read live from tenants.Municipality (see directory.py),
so a town appears in the directory the moment it goes live and never goes stale.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class ExternalAgency(models.Model):
    """หน่วยงานภายนอก — an agency outside the platform that exchanges letters over HTTPS."""

    code = models.CharField(_("รหัสหน่วยงาน"), max_length=40, unique=True)
    name_th = models.CharField(_("ชื่อหน่วยงาน"), max_length=255)
    name_en = models.CharField(_("ชื่อภาษาอังกฤษ"), max_length=255, blank=True)
    endpoint = models.URLField(_("ที่อยู่รับข้อความ (HTTPS)"), max_length=500, blank=True)
    # Shared HMAC key: signs what we send to them and verifies what they send to us.
    shared_key = models.CharField(_("กุญแจลงลายมือชื่อ"), max_length=200)
    is_active = models.BooleanField(_("ใช้งาน"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("หน่วยงานภายนอก")
        verbose_name_plural = _("หน่วยงานภายนอก")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name_th}"


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("รอส่ง")
    DELIVERED = "delivered", _("ส่งถึงแล้ว")
    REGISTERED = "registered", _("ลงรับแล้ว")
    RETURNED = "returned", _("ส่งคืน")
    FAILED = "failed", _("ส่งไม่สำเร็จ")


class ExchangeMessage(models.Model):
    """ข้อความรับส่งระหว่างหน่วยงาน — one message from one agency to another, delivered once."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=40)
    sender_code = models.CharField(max_length=40, db_index=True)
    recipient_code = models.CharField(max_length=40, db_index=True)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=12, choices=MessageStatus.choices, default=MessageStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # Given back by the recipient in its acknowledgement (e.g. its receiving registration number).
    recipient_reference = models.CharField(max_length=200, blank=True)
    acknowledgement_note = models.TextField(blank=True)
    # An acknowledgement points at the message it answers.
    answers = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="answers_to"
    )
    # The id the external agency gave its message (dedup of their retries).
    external_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("ข้อความรับส่ง")
        verbose_name_plural = _("ข้อความรับส่ง")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["sender_code", "external_id"],
                condition=~models.Q(external_id=""),
                name="uniq_exchange_external_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.sender_code}→{self.recipient_code} ({self.status})"


class ExchangeAttachment(models.Model):
    """A file travelling with a message; bytes are kept here until the recipient copies them."""

    message = models.ForeignKey(ExchangeMessage, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()

    def __str__(self) -> str:
        return self.name


class InboundNonce(models.Model):
    """A nonce seen from an external agency: the same one twice is a replay."""

    agency_code = models.CharField(max_length=40)
    nonce = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency_code", "nonce"], name="uniq_inbound_nonce")]

    def __str__(self) -> str:
        return f"{self.agency_code}:{self.nonce}"


class RefusedInbound(models.Model):
    """บันทึกข้อความที่ถูกปฏิเสธ — a forged, stale or replayed inbound message, kept for review."""

    agency_code = models.CharField(max_length=40, blank=True)
    recipient_code = models.CharField(max_length=40, blank=True)
    reason = models.CharField(max_length=40)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    body_sha256 = models.CharField(max_length=64, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.received_at:%Y-%m-%d %H:%M} {self.agency_code} {self.reason}"
