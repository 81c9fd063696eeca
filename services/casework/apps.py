"""The shared case journey (application, checklist, review, deadlines, fees, certificates)."""

from django.apps import AppConfig


def on_invoice_paid(sender, invoice=None, source: str = "", source_id: str = "", **kwargs) -> None:
    """payments → casework: a fee's invoice is fully paid; mark it paid (the certificate follows).

    Sent inside the paying transaction: only a quick write happens here, in its own savepoint, and
    nothing is raised back: a problem on our side must never undo a payment the bank has made.
    The certificate is rendered after commit (actions.record_fee_paid queues it).
    """
    import logging

    from .billing import SOURCE

    if source != SOURCE or not source_id:
        return
    from .actions import record_fee_paid

    reference = str(getattr(invoice, "number", "") or getattr(invoice, "pk", "") or "")
    try:
        record_fee_paid(fee_public_id=source_id, reference=reference)
    except Exception:
        logging.getLogger(__name__).exception(
            "invoice %s paid but casework fee %s could not be marked paid; needs staff attention",
            reference,
            source_id,
        )


class CaseworkConfig(AppConfig):
    name = "services.casework"
    label = "casework"
    verbose_name = "งานคำขอ (Casework)"
    role_permissions = {
        "town_admin": [
            "casework.view_case",
            "casework.view_all_cases",
            "casework.add_documentrequirement",
            "casework.change_documentrequirement",
            "casework.view_documentrequirement",
            "casework.add_feerate",
            "casework.change_feerate",
            "casework.view_feerate",
            "casework.change_servicesettings",
            "casework.view_servicesettings",
        ],
        "executive": ["casework.view_all_cases"],
        "department_head": ["casework.view_all_cases"],
        "finance_officer": ["casework.record_counter_payment", "casework.view_casefee"],
    }
    beat_schedule = {
        "casework-escalate-due-cases": {
            "task": "tenants.tasks.for_each_town",
            "schedule": 3600.0,
            "args": ("services.casework.tasks.escalate_due_cases",),
        },
        "casework-issue-paid-certificates": {
            "task": "tenants.tasks.for_each_town",
            "schedule": 300.0,
            "args": ("services.casework.tasks.issue_paid_certificates",),
        },
        "casework-void-lapsed-returns": {
            "task": "tenants.tasks.for_each_town",
            "schedule": 3600.0,
            "args": ("services.casework.tasks.void_lapsed_returns",),
        },
    }

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        for model in (
            models.Case,
            models.CaseDocument,
            models.Deficiency,
            models.Inspection,
            models.Certificate,
            models.CaseFee,
            models.FeeRate,
            models.DocumentRequirement,
            models.ServiceSettings,
        ):
            auditlog.register(model)
        try:
            from services.payments.signals import invoice_paid
        except ImportError:  # payments service not built into this deployment: counter payments only
            return
        invoice_paid.connect(on_invoice_paid, dispatch_uid="casework.on_invoice_paid")
