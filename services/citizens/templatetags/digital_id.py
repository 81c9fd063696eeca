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
