"""The platform API's own URLconf for schema generation."""

from django.urls import include, path

urlpatterns = [path("api/platform/v1/", include(("api.platform.urls", "api_platform")))]
