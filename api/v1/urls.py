from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from api.auth import Me, ObtainToken
from services.citizens.api import MyRequests

# Each service adds its routes here as `path("<service>/", include("api.v1.<service>.urls"))`.
service_patterns = [
    path("auth/token/", ObtainToken.as_view(), name="token"),
    path("me/", Me.as_view(), name="me"),
    path("me/requests/", MyRequests.as_view(), name="my_requests"),
    path("saraban/", include("api.v1.correspondence.urls")),
    path("payments/", include("api.v1.payments.urls")),
    path("permits/", include("api.v1.permits.urls")),
    path("food/", include("api.v1.food.urls")),
    path("oss/", include("api.v1.complaints.urls")),
]

urlpatterns = [
    *service_patterns,
    path("schema/", SpectacularAPIView.as_view(urlconf="api.v1.schema_urlconf"), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api_v1:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api_v1:schema"), name="redoc"),
]

app_name = "api_v1"
