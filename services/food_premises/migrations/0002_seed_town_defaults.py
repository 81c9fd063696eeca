"""Default checklist, hygiene items, fee bands and settings of a new town (each town edits its own)."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

KIND = "food_notification"

REQUIREMENTS = [
    ("id_card", "สำเนาบัตรประจำตัวประชาชนของผู้แจ้ง", "Copy of the notifier's ID card", True, ""),
    ("house_registration", "สำเนาทะเบียนบ้านของผู้แจ้ง", "Copy of the notifier's house registration", True, ""),
    ("premises_registration", "สำเนาทะเบียนบ้านของสถานที่ประกอบกิจการ", "House registration of the premises", True, ""),
    ("company_certificate", "หนังสือรับรองการจดทะเบียนนิติบุคคล (ออกไม่เกิน 6 เดือน)",
     "Company registration certificate (under 6 months old)", True, "company"),
    ("site_map", "แผนที่สังเขปแสดงที่ตั้งสถานประกอบการ", "Sketch map of the premises", True, ""),
    ("consent_or_lease", "หนังสือยินยอมให้ใช้สถานที่หรือสัญญาเช่า", "Owner's consent or lease", False, ""),
    ("food_handler_training", "หลักฐานการผ่านการอบรมผู้สัมผัสอาหาร / ใบรับรองแพทย์",
     "Food handler training or health certificate", False, ""),
    ("premises_photos", "ภาพถ่ายสถานที่ประกอบการ", "Photos of the premises", False, ""),
]

HYGIENE = [
    ("prep_height", "เตรียม ปรุง วางอาหารบนโต๊ะสูงจากพื้นอย่างน้อย 60 ซม. และไม่เตรียมอาหารในห้องน้ำ"),
    ("cold_storage", "เก็บอาหารสดที่อุณหภูมิไม่เกิน 5 องศาเซลเซียส"),
    ("covered_food", "อาหารปรุงสำเร็จมีการปกปิด วางสูงจากพื้นอย่างน้อย 60 ซม."),
    ("safe_ingredients", "ใช้วัตถุดิบและเครื่องปรุงที่มีเครื่องหมาย อย./มอก."),
    ("clean_water_ice", "น้ำดื่ม น้ำใช้ และน้ำแข็งสะอาด เก็บในภาชนะมีฝาปิด"),
    ("waste", "มีถังขยะมีฝาปิด และระบบระบายน้ำเสีย/บ่อดักไขมัน"),
    ("pests", "มีการป้องกันแมลงและสัตว์นำโรค"),
    ("handlers", "ผู้สัมผัสอาหารแต่งกายสะอาด สวมผ้ากันเปื้อน หมวกหรือเน็ตคลุมผม และผ่านการอบรม"),
]

# One list for the template and the wizard (services/food_premises/town_setup.py).
from services.food_premises.town_setup import RATES, VERSION  # noqa: E402


def seed(apps, schema_editor):
    Requirement = apps.get_model("casework", "DocumentRequirement")
    FeeRate = apps.get_model("casework", "FeeRate")
    Settings = apps.get_model("casework", "ServiceSettings")
    Hygiene = apps.get_model("food_premises", "HygieneChecklistItem")
    for order, (code, th, en, required, condition) in enumerate(REQUIREMENTS):
        Requirement.objects.get_or_create(kind=KIND, code=code, defaults={
            "title_th": th, "title_en": en, "is_required": required, "condition": condition, "order": order})
    for order, (code, title) in enumerate(HYGIENE):
        Hygiene.objects.get_or_create(code=code, defaults={"title_th": title, "order": order})
    if not FeeRate.objects.filter(kind=KIND).exists():
        for description, amount, low, high in RATES:
            FeeRate.objects.create(kind=KIND, fee_code="periodic", description_th=description, unit="flat",
                                   amount=Decimal(amount), min_area_m2=Decimal(low) if low else None,
                                   max_area_m2=Decimal(high), valid_from=dt.date(2017, 1, 1), version=VERSION)
    # The certificate has no legal expiry (Public Health Act s.48); the fee is yearly by default.
    Settings.objects.get_or_create(kind=KIND, defaults={
        "certificate_validity_days": None, "fee_period_months": 12, "fee_due_days": 30, "reminder_days": 15,
        "suspend_after_unpaid_periods": 3, "warn_days_before_due": 2})


class Migration(migrations.Migration):
    dependencies = [("food_premises", "0001_initial"), ("casework", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
