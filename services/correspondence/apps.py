from django.apps import AppConfig


class CorrespondenceConfig(AppConfig):
    name = "services.correspondence"
    label = "correspondence"
    verbose_name = "e-Saraban (สารบรรณ)"
