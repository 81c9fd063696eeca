"""Fee payment (ชำระค่าธรรมเนียม)."""

from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "services.payments"
    label = "payments"
    verbose_name = "Fee payment (ชำระค่าธรรมเนียม)"
    # The service's name, once, for every page that lists services (Thai, English), and its tile on
    # the town portal (services/common/views.py): the hint under the name and where it leads.
    service_label = ("ชำระค่าธรรมเนียม", "Fee payment")
    portal_tile = {"hint": "ค่าขยะ ค่าบำบัดน้ำเสีย ผ่าน QR พร้อมเพย์", "url": "payments:portal"}

    _finance = [
        "payments.view_invoice",
        "payments.add_invoice",
        "payments.change_invoice",
        "payments.run_billing",
        "payments.view_finance",
        "payments.view_payer",
        "payments.add_payer",
        "payments.change_payer",
        "payments.view_feetype",
        "payments.view_feetier",
        "payments.add_payment",
        "payments.view_payment",
        "payments.view_receipt",
        "payments.cancel_receipt",
        "payments.view_paymentexception",
        "payments.resolve_exception",
        "payments.view_banktransaction",
        "payments.add_statementimport",
        "payments.view_statementimport",
    ]
    role_permissions = {
        "finance_officer": _finance,
        "town_admin": [
            *_finance,
            "payments.add_feetype",
            "payments.change_feetype",
            "payments.add_feetier",
            "payments.change_feetier",
            "payments.view_paymentsettings",
            "payments.change_paymentsettings",
        ],
        "executive": [
            "payments.view_invoice",
            "payments.view_finance",
            "payments.view_receipt",
            "payments.view_payer",
            "payments.view_paymentexception",
        ],
    }
    backoffice_menu = [
        ("การเงิน: ภาพรวม", "payments:staff_dashboard", "payments.view_finance"),
        ("การเงิน: ผู้ชำระ", "payments:staff_payers", "payments.view_payer"),
        ("การเงิน: ใบแจ้งหนี้", "payments:staff_invoices", "payments.view_invoice"),
        ("การเงิน: รอบออกใบแจ้งหนี้", "payments:staff_bill_runs", "payments.run_billing"),
        ("การเงิน: รายการรอตรวจสอบ", "payments:staff_exceptions", "payments.view_paymentexception"),
        ("การเงิน: ใบเสร็จ", "payments:staff_receipts", "payments.view_receipt"),
        ("การเงิน: นำเข้ารายการธนาคาร", "payments:staff_statements", "payments.add_statementimport"),
        ("การเงิน: รายงานเงินสดประจำวัน", "payments:staff_cash_report", "payments.view_finance"),
        ("การเงิน: อัตราค่าธรรมเนียม", "payments:staff_fees", "payments.view_feetier"),
        ("การเงิน: ตั้งค่า", "payments:staff_settings", "payments.change_paymentsettings"),
    ]
    beat_schedule = {
        "payments-settle-pending": {
            "task": "tenants.tasks.for_each_town",
            "schedule": 60.0,
            "args": ("services.payments.tasks.settle_pending_transactions",),
        },
        # Bills whose QR was shown or sent and that no bank has confirmed: ask the bank (GOV.UK Pay's
        # "mop-up", eGov DIGIT's 15-minute reconciliation) — callbacks alone are never trusted.
        "payments-chase-unconfirmed": {
            "task": "tenants.tasks.for_each_town",
            "schedule": 900.0,
            "args": ("services.payments.tasks.chase_unconfirmed_bills",),
        },
        # Yesterday's statement file from each bank that offers one over HTTPS, reconciled.
        "payments-fetch-statements": {
            "task": "tenants.tasks.for_each_town",
            "schedule": 6 * 3600.0,
            "args": ("services.payments.tasks.fetch_bank_statements",),
        },
        "payments-bill-runs": {
            "task": "tenants.tasks.for_each_town",
            "schedule": 3600.0,
            "args": ("services.payments.tasks.run_due_bill_run",),
        },
    }

    def town_defaults(self) -> dict:
        """The settings a new town starts from in the onboarding wizard (catalogue.py)."""
        from .catalogue import town_defaults

        return town_defaults()

    def seed_town(self, settings: dict) -> str:
        """Apply the town's wizard settings (fee rates) inside its schema."""
        from .catalogue import seed_town

        return seed_town(settings)

    def monthly_figures(self, start, end):
        """This service's aggregates for the national summary (onboarding/summary.py)."""
        from .figures import monthly_figures

        return monthly_figures(start, end)

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        for model in (
            models.PaymentSettings,
            models.FeeType,
            models.FeeTier,
            models.Payer,
            models.PayerFee,
            models.PayerLink,
            models.BillRun,
            models.Invoice,
            models.Payment,
            models.Receipt,
            models.PaymentException,
            models.StatementImport,
        ):
            auditlog.register(
                model, exclude_fields=["bank_hmac_secret"] if model is models.PaymentSettings else None
            )
        # Sealed secrets and the callback token never go into the audit log.
        auditlog.register(
            models.BankConnection, exclude_fields=["api_secret", "partner_secret", "callback_token"]
        )
