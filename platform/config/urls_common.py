"""URL patterns served on every host (platform and towns)."""

from django.urls import include, path

from services.common import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("services.accounts.urls")),
]
