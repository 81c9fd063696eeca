from django.urls import path

from . import views

urlpatterns = [
    path("confirmations/", views.BankConfirmationView.as_view(), name="payments_confirmation"),
    path(
        "confirmations/<slug:bank>/",
        views.BankConfirmationByBankView.as_view(),
        name="payments_confirmation_bank",
    ),
    path(
        "confirmations/<slug:bank>/<str:token>/",
        views.BankNativeConfirmationView.as_view(),
        name="payments_confirmation_bank_native",
    ),
    path("invoices/", views.InvoiceList.as_view(), name="payments_invoices"),
    path("invoices/<str:number>/", views.InvoiceDetail.as_view(), name="payments_invoice"),
]
