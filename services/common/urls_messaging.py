from django.urls import path

from . import messaging_views

app_name = "messaging"

urlpatterns = [
    path("receipts/twilio/", messaging_views.twilio_status, name="twilio_status"),
]
