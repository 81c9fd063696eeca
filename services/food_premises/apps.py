"""Food premises (สถานที่จำหน่ายอาหาร)."""

from django.apps import AppConfig

_STAFF_VIEW = ["food_premises.view_food_cases", "food_premises.view_foodpremisesnotification"]


class FoodPremisesConfig(AppConfig):
    name = "services.food_premises"
    label = "food_premises"
    verbose_name = "Food premises (สถานที่จำหน่ายอาหาร)"
    # The service's name, once, for every page that lists services (Thai, English), and its tile on
    # the town portal (services/common/views.py): the hint under the name and where it leads.
    service_label = ("หนังสือรับรองการแจ้งสถานที่จำหน่ายอาหาร", "Food premises certificates")
    portal_tile = {"hint": "พื้นที่ไม่เกิน 200 ตารางเมตร", "url": "food_premises:portal"}
    role_permissions = {
        "public_health_officer": [
            *_STAFF_VIEW,
            "food_premises.review_notification",
            "food_premises.inspect_premises",
            "food_premises.issue_certificate",
            "food_premises.decide_change",
        ],
        "executive": [
            *_STAFF_VIEW,
            "food_premises.issue_certificate",
            "food_premises.revoke_certificate",
            "food_premises.decide_change",
        ],
        "department_head": [*_STAFF_VIEW],
        "oss_officer": [*_STAFF_VIEW],
        "town_admin": [
            *_STAFF_VIEW,
            "food_premises.add_hygienechecklistitem",
            "food_premises.change_hygienechecklistitem",
        ],
    }
    backoffice_menu = [
        ("ตั้งค่าบริการสถานที่จำหน่ายอาหาร", "food_premises:settings", "casework.change_feerate"),
        ("การแจ้งสถานที่จำหน่ายอาหาร", "food_premises:staff_list", "food_premises.view_food_cases"),
    ]
    beat_schedule = {
        "food-premises-fee-cycle": {
            "task": "tenants.tasks.for_each_town",
            "schedule": 6 * 3600.0,
            "args": ("services.food_premises.tasks.run_fee_cycle",),
        },
    }

    # The fee type this service bills, for the town's payment catalogue (see building_permits/apps.py).
    payment_fee_types = [
        (
            "food_certificate",
            "ค่าธรรมเนียมหนังสือรับรองการแจ้งสถานที่จำหน่ายอาหาร",
            "Food premises certificate fee",
            False,
            "พ.ร.บ.การสาธารณสุข พ.ศ. 2535 และข้อบัญญัติท้องถิ่น",
        ),
    ]

    def town_defaults(self) -> dict:
        """The settings a new town starts from in the onboarding wizard (town_setup.py)."""
        from .town_setup import town_defaults

        return town_defaults()

    def seed_town(self, settings: dict) -> str:
        """Apply the town's wizard settings inside its schema (town_setup.py)."""
        from .town_setup import seed_town

        return seed_town(settings)

    def monthly_figures(self, start, end):
        """This service's aggregates for the national summary (onboarding/summary.py)."""
        from .figures import monthly_figures

        return monthly_figures(start, end)

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from services.casework.registry import register

        from . import models
        from .case_type import FOOD_NOTIFICATION

        register(FOOD_NOTIFICATION)
        for model in (models.FoodPremisesNotification, models.ChangeNotice, models.HygieneChecklistItem):
            auditlog.register(model)
