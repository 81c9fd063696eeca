"""Every town starts with the usual Thai categories (SLA in working hours: 8 = one working day),
its working calendar settings row, and the Thai public holidays of the current and next year."""

import datetime as dt

from django.db import migrations

DEFAULT_CATEGORIES = [
    # code, Thai, English, icon, SLA working hours, anonymous allowed, Open311 group
    ("road", "ถนน ทางเท้า ชำรุด", "Damaged road or footpath", "🛣️", 16, True, "infrastructure"),
    ("streetlight", "ไฟฟ้าส่องสว่างสาธารณะดับ/ชำรุด", "Street light out", "💡", 8, True, "infrastructure"),
    ("garbage", "ขยะ ความสะอาด", "Garbage and cleanliness", "🗑️", 8, True, "environment"),
    ("drainage", "ท่อระบายน้ำอุดตัน น้ำท่วมขัง", "Blocked drain or flooding", "🌊", 8, True, "infrastructure"),
    ("water", "น้ำประปาไม่ไหล/รั่ว", "Water supply problem", "🚰", 8, True, "infrastructure"),
    ("tree", "ต้นไม้ กิ่งไม้ หักโค่น/กีดขวาง", "Fallen or overgrown tree", "🌳", 8, True, "environment"),
    ("animal", "สัตว์จรจัด สัตว์มีพิษ", "Stray or dangerous animals", "🐕", 8, True, "health"),
    ("nuisance", "เหตุเดือดร้อนรำคาญ (เสียง กลิ่น ควัน)", "Nuisance (noise, smell, smoke)", "📢", 16, True, "health"),
    ("mosquito", "ยุง ไข้เลือดออก ขอพ่นหมอกควัน", "Mosquitoes, fogging request", "🦟", 16, True, "health"),
    ("staff", "ร้องเรียนการปฏิบัติงานของเจ้าหน้าที่", "Complaint about staff conduct", "🧑‍💼", 16, False, "governance"),
    ("other", "เรื่องอื่น ๆ / ขอรับบริการ", "Other request", "📝", 8, True, "other"),
]


KEYWORDS = {
    "road": "ถนน,ทางเท้า,หลุม,ฟุตบาท,ทรุด",
    "streetlight": "ไฟดับ,ไฟฟ้า,ไฟทาง,ไฟถนน,เสาไฟ,ส่องสว่าง",
    "garbage": "ขยะ,สกปรก,ถังขยะ",
    "drainage": "ท่อ,น้ำท่วม,ระบายน้ำ,น้ำขัง",
    "water": "ประปา,น้ำไม่ไหล,ท่อแตก,น้ำรั่ว",
    "tree": "ต้นไม้,กิ่งไม้,ตัดแต่ง,ไม้ล้ม",
    "animal": "สุนัข,หมา,แมว,งู,สัตว์",
    "nuisance": "เสียงดัง,กลิ่น,ควัน,รำคาญ",
    "mosquito": "ยุง,ไข้เลือดออก,หมอกควัน",
}


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
