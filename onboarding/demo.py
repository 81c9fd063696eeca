"""The demo platform: a DGA admin, Bang Sare and its neighbour Na Jomtien, staff in every role.

Every identifier here is made up (LAO codes, tax IDs, letter prefixes, community names, people):
the real ones are not public. The towns are provisioned through `provision_town` (seed_demo).
Boundaries are rough rectangles around the real places, sharing the border at 12.78 °N.
"""

from __future__ import annotations

DEMO_PASSWORD = "demo-pass-2569"  # noqa: S105  (printed by `make run`; demo only)

DGA_ADMIN = {"username": "dga-admin", "email": "dga-admin@example.org", "first_name": "ผู้ดูแล", "last_name": "สพร."}


def rectangle(south: float, west: float, north: float, east: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]]}


TOWNS = [
    {
        "slug": "bangsare", "short_code": "BSR", "name_th": "เทศบาลตำบลบางเสร่", "name_en": "Bang Sare Subdistrict Municipality",
        "kind": "subdistrict", "lao_code": "05200999", "tax_id": "0994000202504",
        "province_code": "20", "province": "ชลบุรี", "district_code": "2009", "district": "สัตหีบ",
        "address": "ตำบลบางเสร่ อำเภอสัตหีบ จังหวัดชลบุรี 20250", "phone": "038000000", "email": "saraban@bangsare.example.org",
        "promptpay_biller_id": "099400020250401", "letter_prefix": "ชบ 52105",
        "communities": [f"ชุมชนที่ {n} (ชื่อสมมติ)" for n in range(1, 9)],
        "boundary": rectangle(12.73, 100.88, 12.78, 100.93),
        "branding": {"colour": "#0b5394", "welcome_th": "ยินดีต้อนรับสู่บริการออนไลน์ของเทศบาลตำบลบางเสร่",
                     "welcome_en": "Welcome to Bang Sare's online services"},
        "staff_prefix": "bsr",
        "history": "full",  # seed_history: Bang Sare's size (~4,000 payers); the neighbour is smaller
    },
    {
        "slug": "najomtien", "short_code": "NJT", "name_th": "เทศบาลตำบลนาจอมเทียน", "name_en": "Na Jomtien Subdistrict Municipality",
        "kind": "subdistrict", "lao_code": "05200998", "tax_id": "0994000202512",
        "province_code": "20", "province": "ชลบุรี", "district_code": "2009", "district": "สัตหีบ",
        "address": "ตำบลนาจอมเทียน อำเภอสัตหีบ จังหวัดชลบุรี 20250", "phone": "038000001", "email": "saraban@najomtien.example.org",
        "promptpay_biller_id": "099400020251201", "letter_prefix": "ชบ 52106",
        "communities": [f"ชุมชนที่ {n} (ชื่อสมมติ)" for n in range(1, 6)],
        "boundary": rectangle(12.78, 100.87, 12.86, 100.93),
        "branding": {"colour": "#1d6b3a", "welcome_th": "ยินดีต้อนรับสู่บริการออนไลน์ของเทศบาลตำบลนาจอมเทียน",
                     "welcome_en": "Welcome to Na Jomtien's online services"},
        "staff_prefix": "njt",
    },
]

DEPARTMENTS = [
    ("office", "สำนักปลัด", "Office of the Municipal Clerk"),
    ("finance", "กองคลัง", "Finance Division"),
    ("engineering", "กองช่าง", "Engineering Division"),
    ("health", "กองสาธารณสุขและสิ่งแวดล้อม", "Public Health and Environment Division"),
    ("education", "กองการศึกษา", "Education Division"),
]

# (username suffix, first name, last name, role, department code)
STAFF = [
    ("admin", "สมชาย", "ดูแลระบบ", "town_admin", "office"),
    ("exec", "วิชัย", "นายกเทศมนตรี", "executive", "office"),
    ("oss", "สุดา", "บริการร่วม", "oss_officer", "office"),
    ("head", "ประเสริฐ", "หัวหน้ากองช่าง", "department_head", "engineering"),
    ("officer", "มานพ", "ปฏิบัติงาน", "officer", "engineering"),
    ("engineer", "อนุชา", "นายช่าง", "building_engineer", "engineering"),
    ("health", "พิมพ์ใจ", "สาธารณสุข", "public_health_officer", "health"),
    ("finance", "กานดา", "การเงิน", "finance_officer", "finance"),
    ("clerk", "นงลักษณ์", "สารบรรณ", "saraban_clerk", "office"),
    ("buddy", "บุญมา", "อาสา", "bbuddy_volunteer", "office"),
]

# Outside agencies a complaint can be referred to (One Stop Service). The phone numbers are
# fictional (marked so): look up the real local office before using the demo for anything real.
REFERRAL_AGENCIES = [
    ("การไฟฟ้าส่วนภูมิภาค (PEA) สาขาสัตหีบ", "Provincial Electricity Authority, Sattahip", "electricity",
     "038-000-101", "เบอร์สมมติ (fictional number)"),
    ("การประปาส่วนภูมิภาค (PWA) สาขาสัตหีบ", "Provincial Waterworks Authority, Sattahip", "waterworks",
     "038-000-102", "เบอร์สมมติ (fictional number)"),
    ("แขวงทางหลวงชนบทชลบุรี", "Department of Rural Roads, Chon Buri", "highways",
     "038-000-103", "เบอร์สมมติ (fictional number)"),
    ("สถานีตำรวจภูธรสัตหีบ", "Sattahip Police Station", "police",
     "038-000-104", "เบอร์สมมติ (fictional number)"),
]

# The public board (One Stop Service): on in the demo, for these categories, with a few open cases
# filed by the demo citizen so the board and the map are not empty. Fictional places and texts.
BOARD_CATEGORIES = ("road", "streetlight", "garbage", "drainage", "water", "tree")
SAMPLE_COMPLAINTS = [
    # category, description, fraction of the boundary box (south→north, west→east), landmark
    ("streetlight", "ไฟทางดับ 3 ต้นติดกัน กลางคืนมืดมาก (ตัวอย่าง)", (0.35, 0.40), "หน้าตลาด (สมมติ)"),
    ("road", "ถนนเป็นหลุมลึก น้ำขังหลังฝนตก (ตัวอย่าง)", (0.55, 0.60), "ซอยวัด (สมมติ)"),
    ("garbage", "ขยะไม่ได้เก็บมา 3 วัน (ตัวอย่าง)", (0.70, 0.30), "ท้ายซอยชุมชน (สมมติ)"),
]
