"""A town host (the town's schema): citizen portal, staff back-office, town API, Open311."""

from django.urls import include, path

from services.accounts import views as account_views
from services.common import messaging_views, web_app
from services.common import views as common_views
from services.common.files import views as file_views

from .urls_common import urlpatterns as common_patterns

urlpatterns = [
    *common_patterns,
    path("", common_views.portal_home, name="home"),
    path("manifest.webmanifest", web_app.manifest, name="manifest"),
    path("sw.js", web_app.service_worker, name="service_worker"),
    path("offline/", web_app.offline, name="offline"),
    path("icons/<int:size>.png", web_app.icon, name="web_app_icon"),
    path("icons/<int:size>-maskable.png", web_app.icon, {"purpose": "maskable"}, name="web_app_icon_maskable"),
    path("files/<uuid:public_id>/", file_views.download, name="file_download"),
    path("staff/", include(([
        path("", common_views.backoffice_home, name="home"),
        path("audit/", common_views.audit_trail, name="audit"),
    ], "backoffice"))),
    path("staff/people/", include("services.accounts.urls_staff")),
    path("messages/", include("services.common.urls_messaging")),
    path("staff/messages/", include(([
        path("", messaging_views.staff_messages, name="page"),
    ], "staff_messages"))),
    path("accounts/signup/", account_views.citizen_sign_up, name="sign_up"),
    path("", include("services.citizens.urls")),
    path("", include("services.privacy.urls")),
    path("complaints/", include("services.complaints.urls")),
    path("payments/", include("services.payments.urls")),
    path("permits/", include("services.building_permits.urls")),
    path("food/", include("services.food_premises.urls")),
    path("saraban/", include("services.correspondence.urls")),
    path("api/v1/", include("api.v1.urls", namespace="api_v1")),
    path("open311/v2/", include("api.open311.urls")),
]

# Under /open311/ errors answer in the Open311 error shape; elsewhere the site's pages.
handler403 = "api.open311.views.handle_403"
handler404 = "api.open311.views.handle_404"
handler500 = "api.open311.views.handle_500"
