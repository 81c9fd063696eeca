from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("", views.staff_list, name="list"),
    path("invite/", views.staff_invite, name="invite"),
    path("<int:user_id>/", views.staff_edit, name="edit"),
]
