from django.urls import path

from .views import backoffice, portal

app_name = "payments"

urlpatterns = [
    path("", portal.portal, name="portal"),
    path("bill/<uuid:token>/", portal.invoice, name="invoice"),
    path("bill/<uuid:token>/qr.png", portal.invoice_qr, name="invoice_qr"),
    path("bill/<uuid:token>/bill.pdf", portal.invoice_pdf, name="invoice_pdf"),
    path("receipt/<uuid:token>/", portal.receipt_verify, name="receipt_verify"),
    path("receipt/<uuid:token>/receipt.pdf", portal.receipt_pdf, name="receipt_pdf"),
    # Back-office (finance officers)
    path("staff/", backoffice.dashboard, name="staff_dashboard"),
    path("staff/payers/", backoffice.payers, name="staff_payers"),
    path("staff/payers/new/", backoffice.payer_edit, name="staff_payer_new"),
    path("staff/payers/<str:code>/", backoffice.payer_detail, name="staff_payer"),
    path("staff/payers/<str:code>/edit/", backoffice.payer_edit, name="staff_payer_edit"),
    path("staff/payer-links/<int:pk>/decide/", backoffice.payer_link_decide, name="staff_payer_link_decide"),
    path("staff/invoices/", backoffice.invoices, name="staff_invoices"),
    path("staff/invoices/<str:number>/", backoffice.invoice_detail, name="staff_invoice"),
    path("staff/bill-runs/", backoffice.bill_runs, name="staff_bill_runs"),
    path("staff/exceptions/", backoffice.exceptions, name="staff_exceptions"),
    path("staff/exceptions/<int:pk>/", backoffice.exception_detail, name="staff_exception"),
    path("staff/receipts/", backoffice.receipts, name="staff_receipts"),
    path("staff/receipts/<int:pk>/cancel/", backoffice.receipt_cancel, name="staff_receipt_cancel"),
    path("staff/statements/", backoffice.statements, name="staff_statements"),
    path("staff/cash-report/", backoffice.cash_report, name="staff_cash_report"),
    path("staff/settings/", backoffice.settings_view, name="staff_settings"),
    path("staff/fees/", backoffice.fees, name="staff_fees"),
]
