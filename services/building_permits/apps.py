"""Building permits (ขออนุญาตก่อสร้าง)."""

from django.apps import AppConfig

_STAFF_VIEW = ["building_permits.view_permit_cases", "building_permits.view_buildingpermitapplication"]


class BuildingPermitsConfig(AppConfig):
    name = "services.building_permits"
    label = "building_permits"
    verbose_name = "Building permits (ขออนุญาตก่อสร้าง)"
    # The service's name, once, for every page that lists services (Thai, English), and its tile on
    # the town portal (services/common/views.py): the hint under the name and where it leads.
    service_label = ("ขออนุญาตก่อสร้างอาคาร", "Building permits")
    portal_tile = {"hint": "อาคารไม่เกิน 150 ตารางเมตร", "url": "building_permits:portal"}
    role_permissions = {
        "building_engineer": [
            *_STAFF_VIEW,
            "building_permits.check_documents",
            "building_permits.inspect_site",
            "building_permits.review_technical",
        ],
        # The local official (นายกฯ) decides (Building Control Act s.21, s.25).
        "executive": [
            *_STAFF_VIEW,
            "building_permits.decide_permit",
            "building_permits.extend_deadline",
            "building_permits.revoke_certificate",
            "building_permits.decide_permit_request",
        ],
        "department_head": [*_STAFF_VIEW, "building_permits.check_documents"],
        "oss_officer": [*_STAFF_VIEW],
        "town_admin": [
            *_STAFF_VIEW,
            "building_permits.add_standardhouseplan",
            "building_permits.change_standardhouseplan",
        ],
    }
    backoffice_menu = [
        ("ตั้งค่าบริการขออนุญาตก่อสร้าง", "building_permits:settings", "casework.change_feerate"),
        ("คำขออนุญาตก่อสร้าง", "building_permits:staff_list", "building_permits.view_permit_cases"),
    ]

    # The fee types this service bills, for the town's payment catalogue (code, Thai, English,
    # recurring, legal basis); payments reads them, so it never names a permit fee itself.
    payment_fee_types = [
        (
            "building_permit",
            "ค่าธรรมเนียมใบอนุญาตก่อสร้างอาคาร",
            "Building permit fee",
            False,
            "พ.ร.บ.ควบคุมอาคาร พ.ศ. 2522 และกฎกระทรวง",
        ),
        ("plan_check", "ค่าธรรมเนียมการตรวจแบบแปลน", "Plan check fee", False, "กฎกระทรวง ฉบับที่ 7 (พ.ศ. 2528)"),
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
        from .case_type import BUILDING_PERMIT

        register(BUILDING_PERMIT)
        for model in (models.BuildingPermitApplication, models.PermitRequest, models.StandardHousePlan):
            auditlog.register(model)
