"""Linking a citizen account to a payer by proof: a one-time code to the payer's phone on file, or
a finance officer's check. Who may see a payer's bills is decided in selectors.payers_of_user()."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from services.common import phone_verification
from services.common.thai_phone import normalize_thai_phone
from services.common.workflow import move

from .models import Payer, PayerLink
from .workflow import PAYER_LINK_TRANSITIONS

OTP_PURPOSE = "payer-link"


def _citizen_only(user) -> None:
    if user is None or not user.is_authenticated or getattr(user, "kind", "") != "citizen":
        raise PermissionDenied(_("เฉพาะบัญชีประชาชน (citizen accounts only)"))


def send_payer_code(*, payer: Payer) -> bool:
    """Text a one-time code to the payer's phone on file (never to a number the visitor typed)."""
    phone = normalize_thai_phone(payer.phone or "")
    if not phone:
        return False
    return phone_verification.send_code(
        phone=phone,
        purpose=f"{OTP_PURPOSE}:{payer.pk}",
        text=_("รหัสยืนยันเพื่อดูใบแจ้งหนี้ %(payer)s คือ %%(code)s (ใช้ได้ 10 นาที) Code to see the bills: %%(code)s")
        % {"payer": payer.code},
    )


def check_payer_code(*, payer: Payer, code: str) -> phone_verification.Check:
    """Compare the code the visitor typed with the one texted to the payer's phone."""
    phone = normalize_thai_phone(payer.phone or "")
    if not phone:
        return phone_verification.Check.EXPIRED
    return phone_verification.check_code(phone=phone, purpose=f"{OTP_PURPOSE}:{payer.pk}", code=code)


@transaction.atomic
def link_by_phone_code(*, user, payer_id: int) -> PayerLink:
    """Record that `user` proved the payer's phone (the caller checked the code just now)."""
    _citizen_only(user)
    link, _created = PayerLink.objects.select_for_update().get_or_create(payer_id=payer_id, user=user)
    link.method = PayerLink.Method.PHONE_CODE
    move(link, to=PayerLink.Status.ACTIVE, by=user, transitions=PAYER_LINK_TRANSITIONS)
    link.decided_at = timezone.now()
    link.decided_by = None
    link.save()  # audited (auditlog): who, when, which method
    return link


@transaction.atomic
def request_payer_link(*, user, payer_code: str, note: str = "") -> PayerLink:
    """A citizen asks the town to confirm they may see a payer's bills (no phone on file, or a new one)."""
    _citizen_only(user)
    payer = Payer.objects.filter(code=(payer_code or "").strip().upper(), is_active=True).first()
    if payer is None:
        raise ValidationError(_("ไม่พบรหัสผู้ชำระนี้ (No payer with this code)"))
    link, created = PayerLink.objects.select_for_update().get_or_create(
        payer=payer, user=user, defaults={"note": note[:300]}
    )
    if not created and link.status == PayerLink.Status.REVOKED:
        move(link, to=PayerLink.Status.REQUESTED, by=user, transitions=PAYER_LINK_TRANSITIONS)
        link.note = note[:300]
        link.decided_at = None
        link.save(update_fields=["status", "note", "decided_at"])
    return link


@transaction.atomic
def decide_payer_link(*, link_id: int, by, approve: bool) -> PayerLink:
    """A finance officer confirms (after checking ID at the counter or by phone) or refuses a link."""
    if not by.has_perm("payments.change_payer"):
        raise PermissionDenied
    link = PayerLink.objects.select_for_update().select_related("payer").get(pk=link_id)
    target = PayerLink.Status.ACTIVE if approve else PayerLink.Status.REVOKED
    move(link, to=target, by=by, transitions=PAYER_LINK_TRANSITIONS)
    link.method = PayerLink.Method.TOWN_CONFIRMED if approve else link.method
    link.decided_by = by
    link.decided_at = timezone.now()
    link.save()  # audited (auditlog) with the officer as actor
    return link
