"""URL patterns served on every host (platform and towns)."""

from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from services.common import health


def favicon(request):
    # Browsers ask for /favicon.ico on every host whatever the page links: answer it, never a 404.
    return HttpResponsePermanentRedirect(static("thongthin/favicon.ico"))


urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("readyz", health.readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("services.accounts.urls")),
]
