from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("complaints", views.OssComplaintViewSet, basename="oss-complaint")

urlpatterns = [
    path("categories/", views.OssCategories.as_view(), name="oss-categories"),
    path("dashboard/", views.OssDashboard.as_view(), name="oss-dashboard"),
    path("holidays/", views.OssHolidays.as_view(), name="oss-holidays"),
    path("export/", views.OssExport.as_view(), name="oss-export"),
    *router.urls,
]
