"""Binding a verified digital identity to a citizen account of this town.

One verified national ID is one account within a town (a unique constraint on accounts.User, per
schema). A first sign-in makes the account; a signed-in local account that signs in with ThaiD
takes the verified ID; an ID already bound to another account is refused, never merged.
"""

from __future__ import annotations

import hashlib
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from services.accounts.models import User
from services.privacy.actions import record_consent

from .digital_id import DigitalIdError, Identity
from .models import DigitalIdSignIn


def _nonce_hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def _new_username(identity: Identity) -> str:
    base = f"{identity.provider.kind}-{identity.subject[:20]}".lower()
    if not User.objects.filter(username=base).exists():
        return base
    return f"{base}-{secrets.token_hex(3)}"


@transaction.atomic
def sign_in_with_identity(identity: Identity, *, current_user=None) -> User:
    """The account this verified identity signs in to (made on first sign-in), all or nothing."""
    signed_in = current_user if current_user is not None and current_user.is_authenticated else None
    if DigitalIdSignIn.objects.filter(nonce_hash=_nonce_hash(identity.nonce)).exists():
        raise DigitalIdError(_("ข้อมูลยืนยันตัวตนนี้ถูกใช้ไปแล้ว (This ID token was already used)"), 401)
    owner = User.objects.select_for_update().filter(national_id=identity.national_id).first()
    if owner is not None and owner.kind != User.Kind.CITIZEN:
        raise DigitalIdError(_("เลขประจำตัวนี้เป็นของบัญชีเจ้าหน้าที่ กรุณาเข้าสู่ระบบด้วยบัญชีเจ้าหน้าที่ "
                               "(This ID belongs to a staff account; sign in as staff)"), 409)
    if signed_in is not None:
        if signed_in.kind != User.Kind.CITIZEN:
            raise DigitalIdError(_("บัญชีเจ้าหน้าที่ผูกกับ ThaiD ไม่ได้ (A staff account cannot be bound to a digital ID)"),
                                 409)
        if owner is not None and owner.pk != signed_in.pk:
            raise DigitalIdError(_("เลขประจำตัวนี้ผูกกับบัญชีอื่นของเทศบาลนี้อยู่แล้ว กรุณาออกจากระบบแล้วเข้าด้วย ThaiD "
                                   "(This national ID is already bound to another account here; sign out and "
                                   "sign in with the digital ID)"), 409)
        if signed_in.national_id and signed_in.national_id != identity.national_id:
            raise DigitalIdError(_("บัญชีนี้ยืนยันตัวตนด้วยเลขประจำตัวอื่นแล้ว "
                                   "(This account is already verified with another national ID)"), 409)
        user = User.objects.select_for_update().get(pk=signed_in.pk)
    elif owner is not None:
        user = owner
    else:
        user = User(username=_new_username(identity), kind=User.Kind.CITIZEN)
        user.set_unusable_password()
    first_time = user.pk is None
    if not user.is_active:
        raise DigitalIdError(_("บัญชีนี้ถูกระงับ (This account is disabled)"), 403)
    user.national_id = identity.national_id
    user.identity_provider = identity.provider.kind
    user.identity_verified_at = timezone.now()
    # the provider's names are the registered ones: they replace what a local sign-up typed
    user.first_name = identity.first_name or user.first_name
    user.last_name = identity.last_name or user.last_name
    try:
        with transaction.atomic():
            user.save()
            DigitalIdSignIn.objects.create(provider=identity.provider, user=user, subject=identity.subject,
                                           nonce_hash=_nonce_hash(identity.nonce))
            if first_time:  # the sign-in page links the privacy notice: the account is made under it
                record_consent(purpose="account", channel="digital_id", user=user)
    except IntegrityError as exc:  # two sign-ins racing with the same ID or the same token
        raise DigitalIdError(_("เลขประจำตัวนี้ผูกกับบัญชีอื่นแล้ว หรือข้อมูลนี้ถูกใช้ไปแล้ว "
                               "(This ID is bound to another account, or this token was already used)"), 409) from exc
    return user
