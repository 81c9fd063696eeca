"""The exchange between towns and agencies (public schema): agency directory, delivery queue.

Used by e-Saraban (letters) and by the One Stop Service (referrals): one mechanism, one module.
"""

from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "services.exchange"
    label = "exchange"
    verbose_name = "Exchange (การรับส่งระหว่างหน่วยงาน)"
    beat_schedule = {
        # The queue lives in the public schema: one sweep for all towns, not a fan-out.
        "exchange-sweep": {"task": "services.exchange.tasks.sweep_exchange", "schedule": 60.0},
    }

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import ExternalAgency

        auditlog.register(ExternalAgency, exclude_fields=["shared_key"])
