"""The town's payer registry and fee catalogue, edited by finance staff and town admins."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from ..models import Payer, PayerFee

# Payments' own recurring fee types; a payer's fees of these types not in the form are switched off.
RECURRING_FEE_CODES = ("garbage", "wastewater")


@transaction.atomic
def save_fee_catalogue_entry(*, instance, by):
    """Add or change a fee type or a dated rate (validated against the type's legal cap); audited."""
    permission = "payments.add_feetier" if instance._meta.model_name == "feetier" else "payments.add_feetype"
    if by is None or not by.has_perm(permission):
        raise PermissionDenied("ไม่มีสิทธิ์แก้ไขอัตราค่าธรรมเนียม (you may not edit the fee catalogue)")
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def save_payer(*, payer: Payer, fees, by) -> Payer:
    """Save a payer and the recurring fees billed to them (one active rate per fee type); audited."""
    permission = "payments.change_payer" if payer.pk else "payments.add_payer"
    if by is None or not by.has_perm(permission):
        raise PermissionDenied("ไม่มีสิทธิ์แก้ไขผู้ชำระ (you may not edit payers)")
    payer.full_clean()
    payer.save()
    for tier, quantity in fees:
        PayerFee.objects.filter(payer=payer, tier__fee_type=tier.fee_type).exclude(tier=tier).update(
            is_active=False
        )
        PayerFee.objects.update_or_create(
            payer=payer, tier=tier, defaults={"quantity": quantity, "is_active": True}
        )
    kept_types = {tier.fee_type_id for tier, _quantity in fees}
    PayerFee.objects.filter(payer=payer, tier__fee_type__code__in=RECURRING_FEE_CODES).exclude(
        tier__fee_type_id__in=kept_types
    ).update(is_active=False)
    return payer
