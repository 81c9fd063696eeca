from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from api.auth import Me, PlatformObtainToken

from . import municipalities as towns
from .summary import PlatformSummary

service_patterns = [
    path("auth/token/", PlatformObtainToken.as_view(), name="token"),
    path("me/", Me.as_view(), name="me"),
    path("summary/", PlatformSummary.as_view(), name="summary"),
    path("municipalities/", towns.MunicipalityList.as_view(), name="municipalities"),
    path("municipalities/<slug:slug>/", towns.MunicipalityDetail.as_view(), name="municipality"),
    path("municipalities/<slug:slug>/status/", towns.MunicipalityStatus.as_view(),
         name="municipality_status"),
    path("municipalities/<slug:slug>/provision/", towns.MunicipalityProvision.as_view(),
         name="municipality_provision"),
    path("municipalities/<slug:slug>/suspend/", towns.MunicipalitySuspend.as_view(),
         name="municipality_suspend"),
    path("municipalities/<slug:slug>/reactivate/", towns.MunicipalityReactivate.as_view(),
         name="municipality_reactivate"),
]

urlpatterns = [
    *service_patterns,
    path("schema/", SpectacularAPIView.as_view(urlconf="api.platform.schema_urlconf"), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api_platform:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api_platform:schema"), name="redoc"),
]

app_name = "api_platform"
