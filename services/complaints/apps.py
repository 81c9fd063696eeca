"""One Stop Service (ศูนย์บริการร่วม)."""

from django.apps import AppConfig

_SEE_ALL = ["complaints.view_complaint", "complaints.view_all_complaints"]


class ComplaintsConfig(AppConfig):
    name = "services.complaints"
    label = "complaints"
    verbose_name = "One Stop Service (ศูนย์บริการร่วม)"
    # The service's name, once, for every page that lists services (Thai, English), and its tile on
    # the town portal (services/common/views.py): the hint under the name and where it leads.
    service_label = ("แจ้งเรื่องร้องเรียน / ขอรับบริการ", "Complaints and requests")
    portal_tile = {"hint": "ศูนย์บริการร่วม One Stop Service", "url": "complaints:portal"}

    role_permissions = {
        "oss_officer": [
            *_SEE_ALL,
            "complaints.triage_complaint",
            "complaints.assign_complaint",
            "complaints.file_on_behalf",
            "complaints.view_oss_dashboard",
        ],
        "department_head": [
            "complaints.view_complaint",
            "complaints.view_department_complaints",
            "complaints.assign_complaint",
            "complaints.work_complaint",
            "complaints.view_oss_dashboard",
            "complaints.export_complaints",
        ],
        "officer": ["complaints.view_complaint", "complaints.work_complaint"],
        "executive": [*_SEE_ALL, "complaints.view_oss_dashboard", "complaints.export_complaints"],
        "town_admin": [
            *_SEE_ALL,
            "complaints.manage_oss_settings",
            "complaints.view_oss_dashboard",
            "complaints.export_complaints",
        ],
        "bbuddy_volunteer": ["complaints.file_on_behalf"],
    }
    backoffice_menu = [
        ("เรื่องร้องเรียน (Complaints)", "complaints:inbox", "complaints.view_complaint"),
        ("บันทึกเรื่องแทนประชาชน (File on behalf)", "complaints:staff_file", "complaints.file_on_behalf"),
        ("แดชบอร์ดศูนย์บริการร่วม (OSS dashboard)", "complaints:dashboard", "complaints.view_oss_dashboard"),
        ("ตั้งค่าศูนย์บริการร่วม (OSS settings)", "complaints:settings", "complaints.manage_oss_settings"),
    ]
    # The LINE Official Account is the town's One Stop Service's (services/common/notify/line.py).
    message_adapters = {"line": "services.complaints.line_push.LinePushAdapter"}
    # Kept by the town's service worker for use without a connection (services/common/web_app.py).
    offline_pages = ("complaints:portal", "complaints:file")
    offline_static = (
        "common/leaflet/leaflet.css",
        "common/leaflet/leaflet.js",
        "common/leaflet/images/marker-icon.png",
        "common/leaflet/images/marker-icon-2x.png",
        "common/leaflet/images/marker-shadow.png",
        "complaints/oss.css",
        "complaints/oss-map.js",
        "complaints/drafts-page.js",
    )
    offline_worker_scripts = ("complaints/drafts.js",)
    # The town's installed app: a shortcut (Thai, English, URL name), and what the offline page offers.
    manifest_shortcuts = (("แจ้งเรื่องร้องเรียน", "Report a problem", "complaints:file"),)
    offline_note_template = "complaints/_offline_note.html"
    beat_schedule = {
        "complaints-escalate-overdue": {
            "task": "tenants.tasks.for_each_town",
            "schedule": 300.0,
            "args": ("services.complaints.tasks.escalate_overdue",),
        },
        "complaints-close-silent": {
            "task": "tenants.tasks.for_each_town",
            "schedule": 3600.0,
            "args": ("services.complaints.tasks.close_confirmed_by_silence",),
        },
        "complaints-referral-follow-ups": {
            "task": "tenants.tasks.for_each_town",
            "schedule": 3600.0,
            "args": ("services.complaints.tasks.remind_referral_follow_ups",),
        },
    }

    def town_defaults(self) -> dict:
        """The settings a new town starts from in the onboarding wizard (town_setup.py)."""
        from .town_setup import town_defaults

        return town_defaults()

    def seed_town(self, settings: dict) -> str:
        """Apply the town's wizard settings (categories, SLA targets) inside its schema."""
        from .town_setup import seed_town

        return seed_town(settings)

    def monthly_figures(self, start, end):
        """This service's aggregates for the national summary (onboarding/summary.py)."""
        from .figures import monthly_figures

        return monthly_figures(start, end)

    def offline_version(self) -> str:
        """The kept filing form lists the categories: a change makes the worker fetch it again."""
        from .models import Category

        rows = Category.objects.order_by("pk").values_list("pk", "is_active", "name_th", "name_en", "icon", "order")
        return repr(list(rows))

    def offline_worker_config(self) -> dict:
        from django.urls import reverse

        return {"drafts": {"fileUrl": reverse("complaints:file"), "tokenUrl": reverse("complaints:filing_token")}}

    def ready(self) -> None:
        from auditlog.registry import auditlog
        from django.db.models.signals import post_delete, post_save

        from . import models
        from .sla import forget_calendar

        for model in (models.Holiday, models.OssSettings):
            post_save.connect(
                forget_calendar, sender=model, dispatch_uid=f"oss-calendar-save-{model.__name__}"
            )
            post_delete.connect(
                forget_calendar, sender=model, dispatch_uid=f"oss-calendar-del-{model.__name__}"
            )

        auditlog.register(models.Complaint, exclude_fields=["access_token", "updated_at"])
        auditlog.register(models.Category)
        auditlog.register(models.Holiday)
        auditlog.register(
            models.OssSettings, exclude_fields=["line_channel_secret", "line_channel_access_token"]
        )
        auditlog.register(models.Open311Client, exclude_fields=["key_hash"])
        auditlog.register(models.Supporter)  # "me too": who joined a case, and who asked to stop messages
        self._register_referrals(models)

    @staticmethod
    def _register_referrals(models) -> None:
        """Referral between towns through the exchange, and its audit (issue #9)."""
        from auditlog.registry import auditlog
        from django.db.models.signals import post_save

        from services.exchange.kinds import Kind, register_kind

        from . import referrals

        auditlog.register(models.Referral)
        auditlog.register(models.ReferralAgency)
        register_kind(
            Kind(
                name=referrals.REFERRAL_KIND,
                fields=referrals.REFERRAL_FIELDS,
                required=referrals.REFERRAL_REQUIRED,
                deliver=referrals.receive_referral,
                acknowledged=referrals.referral_acknowledged,
                failed=referrals.referral_failed,
                attachment_types=("image/jpeg",),
                max_attachments=referrals.MAX_REFERRAL_PHOTOS,
            )
        )
        register_kind(
            Kind(
                name=referrals.PROGRESS_KIND,
                fields=referrals.PROGRESS_FIELDS,
                required=frozenset({"referral", "status"}),
                deliver=referrals.receive_progress,
                attachment_types=(),
                max_attachments=0,
            )
        )

        def progress_of_copy(sender, instance, created, raw=False, **kwargs):
            if created and not raw and instance.kind == models.ComplaintEvent.Kind.STATUS:
                referrals.send_progress(instance)

        post_save.connect(progress_of_copy, sender=models.ComplaintEvent, dispatch_uid="oss-referral-progress",
                          weak=False)
