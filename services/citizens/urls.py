from django.urls import path

from . import views

app_name = "citizens"

urlpatterns = [
    path("accounts/digital-id/callback/", views.callback, name="callback"),
    path("accounts/digital-id/<slug:kind>/", views.start, name="start"),
    path("me/requests/", views.my_requests, name="my_requests"),
    path("me/requests/take-over/<int:filing_id>/", views.assisted_take_over, name="assisted_take_over"),
    path("r/<str:token>/", views.assisted_track, name="assisted_track"),
    path("staff/assisted/", views.assisted_list, name="assisted_list"),
    path("staff/assisted/new/<slug:kind>/", views.assisted_new, name="assisted_new"),
    path("staff/digital-id/", views.providers, name="providers"),
    path("staff/digital-id/<slug:kind>/", views.provider_edit, name="provider_edit"),
]
