from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "services.complaints"
    label = "complaints"
    verbose_name = "One Stop Service (ศูนย์บริการร่วม)"
