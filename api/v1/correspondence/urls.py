from django.urls import path

from . import views

urlpatterns = [
    path("letters/", views.LetterListCreate.as_view(), name="saraban-letters"),
    path("letters/receive/", views.PaperLetterReceive.as_view(), name="saraban-letter-receive"),
    path("letters/<int:pk>/", views.LetterDetail.as_view(), name="saraban-letter"),
    path("letters/<int:pk>/<slug:step>/", views.LetterStep.as_view(), name="saraban-letter-step"),
    path("registers/<slug:register>/", views.RegisterRows.as_view(), name="saraban-register"),
    path("agencies/", views.AgencyList.as_view(), name="saraban-agencies"),
    path("exchange/inbound/", views.ExchangeInbound.as_view(), name="saraban-exchange-inbound"),
]
