from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("privacy/", views.notice, name="notice"),
    path("me/data/", views.my_data, name="my_data"),
    path("me/data/export.<str:fmt>", views.download, name="download"),
    path("me/data/ask/<slug:kind>/", views.ask, name="ask"),
    path("staff/privacy/", views.queue, name="queue"),
    path("staff/privacy/notice/", views.edit_notice, name="edit_notice"),
    path("staff/privacy/retention/", views.retention, name="retention"),
    path("staff/privacy/<int:request_id>/", views.handle, name="handle"),
]
