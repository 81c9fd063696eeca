"""The platform host (public schema): DGA console, onboarding, platform API."""

from django.urls import include, path

from onboarding import console

from .urls_common import urlpatterns as common_patterns

urlpatterns = [
    *common_patterns,
    path("", console.platform_home, name="platform_home"),
    path("audit/", console.platform_audit, name="platform_audit"),
    path("onboarding/", include("onboarding.urls")),
    path("api/platform/v1/", include("api.platform.urls", namespace="api_platform")),
]

handler403 = "services.common.views.permission_denied"
handler404 = "services.common.views.page_not_found"
handler500 = "services.common.views.server_error"
