"""`{% digital_id_providers as providers %}`: the sign-in buttons a town's login page shows."""

from django import template
from django.db import connection

register = template.Library()


@register.simple_tag
def digital_id_providers():
    if connection.schema_name == "public":
        return []
    from services.citizens.models import DigitalIdProvider

    return list(DigitalIdProvider.objects.filter(is_active=True).order_by("kind"))


@register.inclusion_tag("citizens/_verified_badge.html")
def verified_badge(user):
    """"ยืนยันตัวตนโดย ThaiD" next to a person's name in staff pages (nothing for a local account)."""
    return {"person": user if user is not None and getattr(user, "verified_national_id", "") else None}


@register.inclusion_tag("citizens/_verified_badge.html")
def verified_applicant(case):
    """The badge on a staff case page when the applicant's account carries the same verified ID."""
    applicant = getattr(case, "applicant", None)
    verified = getattr(applicant, "verified_national_id", "") if applicant is not None else ""
    digits = "".join(ch for ch in (case.applicant_national_id or "") if ch.isdigit())
    return {"person": applicant if verified and verified == digits else None}
