"""How the town's banks reach it: the callback secret, each bank's connection, QRs shown."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from ..models import BankConnection, Invoice, PaymentSettings, new_secret


@transaction.atomic
def rotate_bank_secret(*, by) -> str:
    """A new HMAC secret for the town's bank callbacks (audited without the value)."""
    if by is None or not by.has_perm("payments.change_paymentsettings"):
        raise PermissionDenied("ไม่มีสิทธิ์เปลี่ยนรหัสลับ (you may not change the bank secret)")
    row = PaymentSettings.objects.select_for_update().get(pk=PaymentSettings.current().pk)
    row.bank_hmac_secret = new_secret()
    row.save(update_fields=["bank_hmac_secret"])
    return row.bank_hmac_secret


@transaction.atomic
def save_bank_connection(*, instance: BankConnection, by) -> BankConnection:
    """Add or change how a bank reaches the town and how the town asks it (secrets sealed, audited)."""
    if by is None or not by.has_perm("payments.change_paymentsettings"):
        raise PermissionDenied("ไม่มีสิทธิ์ตั้งค่าการเชื่อมต่อธนาคาร (you may not change bank connections)")
    instance.full_clean()
    instance.save()
    return instance


def note_qr_shown(*, invoice_id: int) -> None:
    """The portal showed this bill's QR: from now on the chase job may ask the bank about it."""
    Invoice.objects.filter(pk=invoice_id, qr_shown_at__isnull=True).update(qr_shown_at=timezone.now())
