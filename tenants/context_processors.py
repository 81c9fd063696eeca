from django.conf import settings


def town(request) -> dict:
    return {
        "town": getattr(request, "town", None) or getattr(request, "tenant", None),
        "is_platform": getattr(request, "is_platform", False),
        "platform_domain": settings.PLATFORM_DOMAIN,
    }
