from django.urls import path

from .views import portal

app_name = "payments"

urlpatterns = [
    path("", portal.portal, name="portal"),
    path("bill/<uuid:token>/", portal.invoice, name="invoice"),
    path("bill/<uuid:token>/qr.png", portal.invoice_qr, name="invoice_qr"),
    path("bill/<uuid:token>/bill.pdf", portal.invoice_pdf, name="invoice_pdf"),
    path("receipt/<uuid:token>/", portal.receipt_verify, name="receipt_verify"),
    path("receipt/<uuid:token>/receipt.pdf", portal.receipt_pdf, name="receipt_pdf"),
]
