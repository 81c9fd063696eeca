"""Every town starts with the usual Thai categories (SLA in working hours: 8 = one working day),
its working calendar settings row, and the Thai public holidays of the current and next year."""

import datetime as dt

from django.db import migrations

# One list for the template and the wizard (services/complaints/town_setup.py).
from services.complaints.town_setup import DEFAULT_CATEGORIES, KEYWORDS


def seed(apps, schema_editor):
    if schema_editor.connection.schema_name == "public":
        return
    Category = apps.get_model("complaints", "Category")
    OssSettings = apps.get_model("complaints", "OssSettings")
    for order, (code, th, en, icon, hours, anonymous, group) in enumerate(DEFAULT_CATEGORIES):
        Category.objects.get_or_create(code=code, defaults={
            "name_th": th, "name_en": en, "icon": icon, "sla_hours": hours, "allow_anonymous": anonymous,
            "group": group, "order": order * 10, "keywords": KEYWORDS.get(code, ""),
        })
    if not OssSettings.objects.exists():
        OssSettings.objects.create(work_day_start=dt.time(8, 30), work_day_end=dt.time(16, 30))


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
