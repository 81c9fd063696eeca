from django.urls import path

from . import views

urlpatterns = [
    path("notifications/", views.FoodNotifications.as_view(), name="food_notifications"),
    path("notifications/<uuid:public_id>/", views.FoodNotification.as_view(), name="food_notification"),
    path("notifications/<uuid:public_id>/documents/", views.FoodDocuments.as_view(), name="food_documents"),
    path("notifications/<uuid:public_id>/submit/", views.FoodSubmit.as_view(), name="food_submit"),
    path("notifications/<uuid:public_id>/steps/<slug:step>/", views.FoodStep.as_view(), name="food_step"),
    path("register/", views.FoodRegister.as_view(), name="food_register"),
    path("verify/<str:token>/", views.FoodVerify.as_view(), name="food_verify"),
]
