"""The referral panel of the staff case page reads its data here, so the detail view stays as is."""

from __future__ import annotations

from django import template

from services.common.workflow import allowed_targets

from .. import referrals
from ..models import Referral, ReferralAgency
from ..workflow import ASSIGN, TRANSITIONS, TRIAGE, WORK, ComplaintStatus

register = template.Library()
S = ComplaintStatus


@register.simple_tag
def referral_panel(complaint, user) -> dict:
    """What the panel may show and offer to this user for this case."""
    current = referrals.current_referral(complaint)
    open_agency = (
        current is not None
        and current.target == Referral.Target.AGENCY
        and current.status == Referral.Status.OPEN
        and complaint.status == S.REFERRED
    )
    can_refer = user.has_perm(TRIAGE) and S.REFERRED in allowed_targets(complaint.status, TRANSITIONS)
    return {
        "current": current,
        "history": list(complaint.referrals.select_related("agency").order_by("-created_at", "-pk")),
        "delivery": referrals.delivery_state(current) if current is not None else None,
        "can_refer": can_refer,
        "towns": referrals.referable_towns() if can_refer else [],
        "agencies": list(ReferralAgency.objects.filter(is_active=True)) if can_refer else [],
        "may_share_contact": bool(complaint.consent_at and not complaint.is_anonymous),
        "is_copy": bool(complaint.exchange_message_id),
        "from_town": referrals.town_name(complaint.referred_from_code) if complaint.referred_from_code else "",
        "can_decline": bool(complaint.exchange_message_id)
        and user.has_perm(TRIAGE)
        and complaint.status in referrals.DECLINABLE,
        "can_record_result": open_agency and user.has_perm(WORK),
        "can_take_back": open_agency and (user.has_perm(TRIAGE) or user.has_perm(ASSIGN)),
    }
