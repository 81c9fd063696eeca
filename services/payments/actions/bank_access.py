"""How the town's banks reach it: the callback secret (rotated by a town admin)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from ..models import PaymentSettings, new_secret


@transaction.atomic
def rotate_bank_secret(*, by) -> str:
    """A new HMAC secret for the town's bank callbacks (audited without the value)."""
    if by is None or not by.has_perm("payments.change_paymentsettings"):
        raise PermissionDenied("ไม่มีสิทธิ์เปลี่ยนรหัสลับ (you may not change the bank secret)")
    row = PaymentSettings.objects.select_for_update().get(pk=PaymentSettings.current().pk)
    row.bank_hmac_secret = new_secret()
    row.save(update_fields=["bank_hmac_secret"])
    return row.bank_hmac_secret
