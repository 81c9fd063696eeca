"""A new town's One Stop Service: the categories every town starts with, and the hook that applies
the categories and SLA targets the town chose in the onboarding wizard.

DEFAULT_CATEGORIES is the one list: the migration that seeds the schema template reads it, and the
wizard offers it (through ComplaintsConfig.town_defaults) as the starting point.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from .models import Category, Community, OssSettings

# code, Thai, English, icon, SLA in working hours (8 = one working day), anonymous allowed, Open311 group
DEFAULT_CATEGORIES = [
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

# The default working day, 08:30–16:30 (OssSettings): SLA targets are kept in working hours.
DEFAULT_WORKING_HOURS = 8


def town_defaults() -> dict:
    """What the wizard starts from: the default categories with their SLA in working days."""
    return {
        "categories": [
            {"code": code, "name_th": th, "name_en": en, "sla_days": hours // DEFAULT_WORKING_HOURS}
            for code, th, en, _icon, hours, _anonymous, _group in DEFAULT_CATEGORIES
        ]
    }


def _working_hours_per_day(settings_row) -> int:
    start = dt.datetime.combine(dt.date.min, settings_row.work_day_start)
    end = dt.datetime.combine(dt.date.min, settings_row.work_day_end)
    hours = int((end - start).total_seconds() // 3600)
    return hours if hours > 0 else DEFAULT_WORKING_HOURS


def _seed_communities() -> int:
    """The communities named in the wizard (Municipality.communities) become the complaint form's
    list, in the order given; names already there are kept as they are. Returns how many were added."""
    from tenants.current import current_town

    town = current_town()
    names = [str(n).strip()[:200] for n in (getattr(town, "communities", None) or []) if str(n).strip()]
    existing = set(Community.objects.values_list("name_th", flat=True))
    new = [Community(name_th=name, order=index * 10) for index, name in enumerate(dict.fromkeys(names))
           if name not in existing]
    Community.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def seed_town(settings: dict) -> str:
    """The town's categories as chosen in the wizard: names and SLA targets of the listed ones set
    (new ones created), categories the town left out switched off. Running it twice changes nothing."""
    communities = _seed_communities()
    chosen = settings.get("categories") or []
    if not chosen:
        return f"categories unchanged, {communities} communities"
    hours_per_day = _working_hours_per_day(OssSettings.current())
    existing = {category.code: category for category in Category.objects.all()}
    for order, item in enumerate(chosen):
        category = existing.get(item["code"]) or Category(code=item["code"])
        category.name_th = item["name_th"]
        category.name_en = item.get("name_en", "") or category.name_en
        category.sla_hours = int(item["sla_days"]) * hours_per_day
        category.order = order * 10
        category.is_active = True
        category.save()
    listed = {item["code"] for item in chosen}
    for code, category in existing.items():
        if code not in listed and category.is_active:
            category.is_active = False
            category.save(update_fields=["is_active"])
    return f"{len(chosen)} categories, {communities} communities"
