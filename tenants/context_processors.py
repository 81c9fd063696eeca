from django.conf import settings
from django.utils import translation
from django.utils.functional import SimpleLazyObject


def _town_name(town) -> str:
    """The town's name in the page's language (English when chosen and known; Thai otherwise)."""
    if town is None or not hasattr(town, "name_th"):
        return ""
    if translation.get_language() == "en" and getattr(town, "name_en", ""):
        return town.name_en
    return town.name_th


def town(request) -> dict:
    current = getattr(request, "town", None) or getattr(request, "tenant", None)
    return {
        "town": current,
        "town_name": SimpleLazyObject(lambda: _town_name(current)),
        "is_platform": getattr(request, "is_platform", False),
        "platform_domain": settings.PLATFORM_DOMAIN,
    }
