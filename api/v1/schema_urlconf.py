"""The town API's own URLconf for schema generation: only /api/v1/ routes, nothing else."""

from django.urls import include, path

urlpatterns = [path("api/v1/", include(("api.v1.urls", "api_v1")))]
