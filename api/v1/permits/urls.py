from django.urls import path

from . import views

urlpatterns = [
    path("applications/", views.PermitApplications.as_view(), name="permits_applications"),
    path("applications/<uuid:public_id>/", views.PermitApplication.as_view(), name="permits_application"),
    path(
        "applications/<uuid:public_id>/documents/", views.PermitDocuments.as_view(), name="permits_documents"
    ),
    path("applications/<uuid:public_id>/submit/", views.PermitSubmit.as_view(), name="permits_submit"),
    path("applications/<uuid:public_id>/steps/<slug:step>/", views.PermitStep.as_view(), name="permits_step"),
    path("register/", views.PermitRegister.as_view(), name="permits_register"),
    path("verify/<str:token>/", views.PermitVerify.as_view(), name="permits_verify"),
]
