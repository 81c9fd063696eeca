from django.urls import path

from services.casework import views as case_views

from . import views
from .case_type import KIND

app_name = "building_permits"
K = {"kind": KIND}

urlpatterns = [
    path("", views.portal, name="portal"),
    path("apply/", views.apply, name="apply"),
    path("mine/", case_views.my_cases, K, name="my_cases"),
    path("mine/<uuid:public_id>/", case_views.my_case, K, name="my_case"),
    path("mine/<uuid:public_id>/edit/", views.edit, name="edit"),
    path("mine/<uuid:public_id>/upload/", case_views.upload_document, K, name="upload"),
    path("mine/<uuid:public_id>/submit/", case_views.submit, K, name="submit"),
    path("mine/<uuid:public_id>/withdraw/", case_views.withdraw, K, name="withdraw"),
    path("mine/<uuid:public_id>/request/", views.holder_request, name="holder_request"),
    path("mine/<uuid:public_id>/supervisor/", views.supervisor, name="supervisor"),
    path("cases/<uuid:public_id>/documents/<int:document_id>/", case_views.document, K, name="document"),
    path(
        "cases/<uuid:public_id>/inspections/<int:inspection_id>/<uuid:file_id>/",
        case_views.inspection_photo,
        K,
        name="inspection_photo",
    ),
    path("cases/<uuid:public_id>/permit.pdf", case_views.certificate_pdf, K, name="certificate_pdf"),
    path("register/", case_views.register, K, name="register"),
    path("verify/<str:token>/", case_views.verify, K, name="verify"),
    path("staff/", case_views.staff_list, K, name="staff_list"),
    path("staff/settings/", case_views.service_settings, K, name="settings"),
    path("staff/<uuid:public_id>/", case_views.staff_case, K, name="staff_case"),
    path("staff/<uuid:public_id>/<slug:action>/", case_views.staff_act, K, name="staff_act"),
    path("staff/requests/<int:request_id>/decide/", views.decide_request, name="decide_request"),
]
