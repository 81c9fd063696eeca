"""Default checklist, fee rates, standard plans and settings of a new town (each town edits its own)."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

KIND = "building_permit"

REQUIREMENTS = [
    ("id_card", "สำเนาบัตรประจำตัวประชาชนของผู้ยื่นคำขอ", "Copy of the applicant's ID card", True, ""),
    ("house_registration", "สำเนาทะเบียนบ้านของผู้ยื่นคำขอ", "Copy of the applicant's house registration", True, ""),
    ("title_deed", "สำเนาโฉนดที่ดิน/เอกสารสิทธิ์ (เจ้าของที่ดินลงนามรับรองทุกหน้า)",
     "Copy of the title deed, signed by the owner on every page", True, ""),
    ("owner_consent", "หนังสือยินยอมให้ก่อสร้างในที่ดิน พร้อมสำเนาบัตรประจำตัวประชาชนของเจ้าของที่ดิน",
     "Land owner's consent with a copy of the owner's ID card", True, "not_owner"),
    ("site_map", "แผนที่สังเขปแสดงที่ตั้งอาคาร", "Sketch map of the site", True, ""),
    ("plans", "แบบแปลน ผังบริเวณ รูปด้าน รูปตัด และรายการประกอบแบบ (ลงนามผู้ออกแบบ)",
     "Plans, site plan, elevations, sections and specifications signed by the designers", True, "own_plans"),
    ("structural_calculation", "รายการคำนวณโครงสร้าง (ลงนามวิศวกร)", "Structural calculations signed by the engineer",
     True, "own_plans"),
    ("engineer_licence", "สำเนาใบอนุญาตประกอบวิชาชีพวิศวกรรมควบคุม/สถาปัตยกรรมควบคุมของผู้ออกแบบ",
     "Copy of the designers' professional licences", True, "own_plans"),
    ("power_of_attorney", "หนังสือมอบอำนาจ (กรณียื่นแทน ติดอากรแสตมป์ 30 บาท)",
     "Power of attorney when filing for someone else", False, ""),
]

PLANS = [
    ("dpt-01", "แบบบ้านเพื่อประชาชน แบบที่ 1 บ้านชั้นเดียว 2 ห้องนอน", 1, "64.00", "5.50"),
    ("dpt-02", "แบบบ้านเพื่อประชาชน แบบที่ 2 บ้านชั้นเดียว 3 ห้องนอน", 1, "96.00", "5.80"),
    ("dpt-03", "แบบบ้านเพื่อประชาชน แบบที่ 3 บ้านสองชั้น 3 ห้องนอน", 2, "132.00", "8.50"),
]

# One list for the template and the wizard (services/building_permits/town_setup.py).
from services.building_permits.town_setup import RATES  # noqa: E402


def seed(apps, schema_editor):
    Requirement = apps.get_model("casework", "DocumentRequirement")
    FeeRate = apps.get_model("casework", "FeeRate")
    Settings = apps.get_model("casework", "ServiceSettings")
    Plan = apps.get_model("building_permits", "StandardHousePlan")
    for order, (code, th, en, required, condition) in enumerate(REQUIREMENTS):
        Requirement.objects.get_or_create(kind=KIND, code=code, defaults={
            "title_th": th, "title_en": en, "is_required": required, "condition": condition, "order": order})
    if not FeeRate.objects.filter(kind=KIND).exists():
        for code, description, unit, amount, floors, height, start, end, version in RATES:
            FeeRate.objects.create(kind=KIND, fee_code=code, description_th=description, unit=unit,
                                   amount=Decimal(amount), max_floors=floors,
                                   max_height_m=Decimal(height) if height else None,
                                   valid_from=start, valid_to=end, version=version)
    for code, name, floors, area, height in PLANS:
        Plan.objects.get_or_create(code=code, defaults={"name_th": name, "floors": floors,
                                                        "floor_area_m2": Decimal(area), "height_m": Decimal(height)})
    # A permit's term is written in it (s.35); one year is the common practice, towns may change it.
    Settings.objects.get_or_create(kind=KIND, defaults={"certificate_validity_days": 365, "warn_days_before_due": 7})


class Migration(migrations.Migration):
    dependencies = [("building_permits", "0001_initial"), ("casework", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
