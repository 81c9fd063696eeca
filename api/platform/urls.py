from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from api.auth import Me, PlatformObtainToken

service_patterns = [
    path("auth/token/", PlatformObtainToken.as_view(), name="token"),
    path("me/", Me.as_view(), name="me"),
]

urlpatterns = [
    *service_patterns,
    path("schema/", SpectacularAPIView.as_view(urlconf="api.platform.schema_urlconf"), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api_platform:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api_platform:schema"), name="redoc"),
]

app_name = "api_platform"
