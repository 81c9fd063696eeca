from django.apps import AppConfig


class BuildingPermitsConfig(AppConfig):
    name = "services.building_permits"
    label = "building_permits"
    verbose_name = "Building permits (ขออนุญาตก่อสร้าง)"
