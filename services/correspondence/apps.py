"""e-Saraban (สารบรรณ)."""

from django.apps import AppConfig

_ALL = ["correspondence.draft_letter"]
_REGISTER = ["correspondence.view_register"]


class CorrespondenceConfig(AppConfig):
    name = "services.correspondence"
    label = "correspondence"
    verbose_name = "e-Saraban (สารบรรณ)"
    # The service's name, once, for every page that lists services (Thai, English), and its tile on
    # the town portal (services/common/views.py): the hint under the name and where it leads.
    service_label = ("สารบรรณอิเล็กทรอนิกส์", "e-Saraban")
    # No citizen page: the portal tile leads staff to their work.
    portal_tile = {"hint": "หนังสือราชการ (สำหรับเจ้าหน้าที่)", "url": "correspondence:home"}
    role_permissions = {
        "saraban_clerk": [*_ALL, *_REGISTER, "correspondence.register_letter", "correspondence.send_letter"],
        "executive": [*_ALL, *_REGISTER, "correspondence.endorse_letter"],
        "department_head": [*_ALL],
        "officer": [*_ALL],
        "town_admin": [*_REGISTER, "correspondence.manage_saraban"],
    }
    backoffice_menu = [
        ("งานสารบรรณ (e-Saraban)", "correspondence:home", None),
    ]

    def town_defaults(self) -> dict:
        """The settings a new town starts from in the onboarding wizard (town_settings.py)."""
        from .town_settings import town_defaults

        return town_defaults()

    def seed_town(self, settings: dict) -> str:
        """Apply the town's wizard settings inside its schema (town_settings.py)."""
        from .town_settings import seed_town

        return seed_town(settings)

    def monthly_figures(self, start, end):
        """This service's aggregates for the national summary (onboarding/summary.py)."""
        from .figures import monthly_figures

        return monthly_figures(start, end)

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from services.exchange.kinds import Kind, register_kind

        from . import actions
        from .models import Endorsement, Letter, RegisterEntry, Routing, SarabanSettings

        for model in (Letter, RegisterEntry, Endorsement, Routing, SarabanSettings):
            auditlog.register(model)
        register_kind(
            Kind(
                name=actions.LETTER_EXCHANGE_KIND,
                fields=frozenset(
                    {
                        "letter_number",
                        "letter_date",
                        "subject",
                        "kind",
                        "form",
                        "urgency",
                        "secrecy",
                        "salutation",
                        "recipient_name",
                        "sender_name",
                        "reference_to",
                        "enclosures",
                        "body",
                    }
                ),
                required=frozenset({"letter_number", "letter_date", "subject"}),
                deliver=actions.receive_from_exchange,
                acknowledged=actions.acknowledgement_arrived,
            )
        )
