"""The five services' settings in wizard step 4: the legal caps they must respect and their validation.

The defaults are each service's own (`town_defaults()` on its AppConfig). The town's choice is stored
on Municipality.service_settings and passed to each service app's `seed_town(settings)` hook inside
the new schema (onboarding/pipeline.py, step "services").
Caps marked (verify) were not confirmed from a primary source: they are platform-level constants
here, to be corrected in one place, and each town's own values stay editable below them.
"""

from __future__ import annotations

import copy
import re
from decimal import Decimal, InvalidOperation

from django.apps import apps

from tenants.models import SERVICE_CODES


def service_labels() -> dict[str, tuple[str, str]]:
    """Service code → (Thai, English), as each service declares it once (AppConfig.service_label)."""
    return {code: apps.get_app_config(code).service_label for code in SERVICE_CODES}

# domain.md §1: no statute fixes the SLA; the pilot resolved in 1 working day.
DEFAULT_SLA_DAYS = 1

# Money fields: (service, key) → (label th, label en, cap, source of the cap). The default amount of
# each is the service's own (its AppConfig.town_defaults()), never a second copy here.
FEE_FIELDS: dict[tuple[str, str], tuple[str, str, Decimal, str]] = {
    ("payments", "garbage_household_monthly"): (
        "ค่าเก็บขนมูลฝอย บ้านเรือน (บาท/เดือน)",
        "Garbage fee, household (baht/month)",
        Decimal("150.00"),
        "Public Health Act s.20(4) ministerial regulation caps (verify); domain.md §4 examples 25–80",
    ),
    ("payments", "garbage_shop_monthly"): (
        "ค่าเก็บขนมูลฝอย ร้านค้า/สถานประกอบการ (บาท/เดือน)",
        "Garbage fee, shop (baht/month)",
        Decimal("3000.00"),
        "ministerial regulation caps by volume (verify)",
    ),
    ("payments", "wastewater_per_m3"): (
        "ค่าบำบัดน้ำเสีย บ้านพักอาศัย (บาท/ลูกบาศก์เมตรน้ำใช้)",
        "Wastewater fee, household (baht per m³ of water used)",
        Decimal("8.00"),
        "NEQA s.88–90 by ordinance; Bangkok classes 2/4/8 (verify)",
    ),
    ("building_permits", "permit_fee"): (
        "ค่าใบอนุญาตก่อสร้าง (บาท/ฉบับ)",
        "Construction permit fee (baht)",
        Decimal("200.00"),
        "Building Control Act B.E. 2522 fee schedule (≤200 baht)",
    ),
    ("building_permits", "plan_check_per_m2_low"): (
        "ค่าตรวจแบบ อาคารไม่เกิน 2 ชั้น/12 ม. (บาท/ตร.ม.)",
        "Plan check, ≤2 storeys or 12 m (baht/m²)",
        Decimal("2.00"),
        "Building Control Act schedule ≤2 baht/m² up to 3 storeys/15 m",
    ),
    ("building_permits", "plan_check_per_m2_mid"): (
        "ค่าตรวจแบบ อาคารไม่เกิน 3 ชั้น/15 ม. (บาท/ตร.ม.)",
        "Plan check, ≤3 storeys or 15 m (baht/m²)",
        Decimal("2.00"),
        "Building Control Act schedule ≤2 baht/m²",
    ),
    ("building_permits", "plan_check_per_m2_high"): (
        "ค่าตรวจแบบ อาคารสูงกว่า 3 ชั้น/15 ม. (บาท/ตร.ม.)",
        "Plan check, above 3 storeys or 15 m (baht/m²)",
        Decimal("4.00"),
        "Building Control Act schedule ≤4 baht/m²",
    ),
    ("food_premises", "certificate_fee_upto_20m2"): (
        "ค่าธรรมเนียมหนังสือรับรองการแจ้ง พื้นที่ไม่เกิน 20 ตร.ม. (บาท/ปี)",
        "Notification certificate fee, up to 20 m² (baht/year)",
        Decimal("2000.00"),
        "Public Health Act ministerial fee schedule (verify); typical 20–100",
    ),
    ("food_premises", "certificate_fee_upto_100m2"): (
        "ค่าธรรมเนียมหนังสือรับรองการแจ้ง พื้นที่เกิน 20–100 ตร.ม. (บาท/ปี)",
        "Notification certificate fee, 20–100 m² (baht/year)",
        Decimal("2000.00"),
        "Public Health Act ministerial fee schedule (verify); typical 20–100",
    ),
    ("food_premises", "certificate_fee_upto_200m2"): (
        "ค่าธรรมเนียมหนังสือรับรองการแจ้ง พื้นที่เกิน 100–200 ตร.ม. (บาท/ปี)",
        "Notification certificate fee, 100–200 m² (baht/year)",
        Decimal("2000.00"),
        "Public Health Act ministerial fee schedule (verify); typical 20–100",
    ),
}
MAX_LETTER_PREFIX = 20
LETTER_PREFIX_PATTERN = re.compile(r"^[ก-ฮ]{1,3}\.?\s?[0-9]{4,6}(\.[0-9]{1,3})?$")


def service_defaults(service: str) -> dict:
    """The settings a new town starts from for one service, as the service itself declares them
    (`town_defaults()` on its AppConfig); {} for a service without settings or not installed."""
    try:
        config = apps.get_app_config(service)
    except LookupError:
        return {}
    declared = getattr(config, "town_defaults", None)
    return copy.deepcopy(declared()) if callable(declared) else {}


DIGIT_STYLES = ("arabic", "thai")


def default_service_settings(tax_id: str = "") -> dict:
    """A complete, valid settings dict with every service enabled."""
    settings: dict = {"enabled": list(SERVICE_CODES), "documents": {"digits": "arabic"}}
    for service in SERVICE_CODES:
        settings[service] = service_defaults(service)
    settings.setdefault("payments", {})["promptpay_biller_id"] = f"{tax_id}01" if tax_id else ""
    return settings


def _money(value) -> Decimal | None:
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        return None
    return amount.quantize(Decimal("0.01"))


def validate_categories(categories) -> tuple[list[dict], list[str]]:
    errors: list[str] = []
    cleaned: list[dict] = []
    if not isinstance(categories, list) or not categories:
        return [], ["ต้องมีหมวดเรื่องร้องเรียนอย่างน้อย 1 หมวด (At least one complaint category is required)"]
    seen: set[str] = set()
    for index, item in enumerate(categories, start=1):
        if not isinstance(item, dict):
            errors.append(f"หมวดที่ {index}: รูปแบบไม่ถูกต้อง (Category {index}: malformed)")
            continue
        name_th = str(item.get("name_th", "")).strip()
        name_en = str(item.get("name_en", "")).strip()
        code = str(item.get("code") or "").strip() or f"cat{index}"
        try:
            sla = int(item.get("sla_days", DEFAULT_SLA_DAYS))
        except (TypeError, ValueError):
            sla = -1
        if not name_th:
            errors.append(f"หมวดที่ {index}: ต้องมีชื่อภาษาไทย (Category {index}: Thai name is required)")
        if not 1 <= sla <= 60:
            errors.append(
                f"หมวดที่ {index}: ระยะเวลาดำเนินการต้องเป็น 1–60 วันทำการ "
                f"(Category {index}: SLA must be 1–60 working days)"
            )
        if not re.match(r"^[a-z0-9_-]{1,40}$", code):
            errors.append(f"หมวดที่ {index}: รหัสต้องเป็น a-z 0-9 (Category {index}: code must be a-z, 0-9)")
        if name_th in seen:
            errors.append(f"หมวดที่ {index}: ชื่อซ้ำ (Category {index}: duplicate name)")
        seen.add(name_th)
        cleaned.append({"code": code, "name_th": name_th, "name_en": name_en, "sla_days": sla})
    codes = [c["code"] for c in cleaned]
    if len(codes) != len(set(codes)):
        errors.append("รหัสหมวดซ้ำกัน (Duplicate category codes)")
    return cleaned, errors


def validate_service_settings(data: dict, *, tax_id: str = "") -> tuple[dict, dict[str, list[str]]]:
    """Check enabled services and their settings; returns (cleaned, errors by dotted field name)."""
    errors: dict[str, list[str]] = {}
    data = data if isinstance(data, dict) else {}
    enabled = data.get("enabled", [])
    if not isinstance(enabled, list) or not enabled:
        errors["services.enabled"] = ["เลือกอย่างน้อย 1 บริการ (Choose at least one service)"]
        enabled = []
    unknown = [code for code in enabled if code not in SERVICE_CODES]
    if unknown:
        errors["services.enabled"] = [f"ไม่รู้จักบริการ (Unknown service): {', '.join(map(str, unknown))}"]
    cleaned: dict = {"enabled": [code for code in SERVICE_CODES if code in enabled]}
    defaults = default_service_settings(tax_id)
    for service in cleaned["enabled"]:
        given = data.get(service) or {}
        cleaned[service] = {}
        for (fee_service, key), (th, en, cap, _source) in FEE_FIELDS.items():
            if fee_service != service:
                continue
            amount = _money(given.get(key, defaults[service].get(key)))
            if amount is None or amount < 0:
                errors[f"services.{service}.{key}"] = [f"{th}: จำนวนเงินไม่ถูกต้อง ({en}: invalid amount)"]
            elif amount > cap:
                errors[f"services.{service}.{key}"] = [
                    f"{th}: เกินเพดานตามกฎหมาย {cap} บาท ({en}: above the legal cap of {cap} baht)"
                ]
            else:
                cleaned[service][key] = str(amount)
    if "complaints" in cleaned["enabled"]:
        categories, problems = validate_categories(
            (data.get("complaints") or {}).get("categories", defaults["complaints"]["categories"])
        )
        cleaned["complaints"]["categories"] = categories
        if problems:
            errors["services.complaints.categories"] = problems
    if "food_premises" in cleaned["enabled"]:
        surcharge = _money(
            (data.get("food_premises") or {}).get(
                "late_surcharge_percent", defaults["food_premises"]["late_surcharge_percent"]
            )
        )
        if surcharge is None or not Decimal(0) <= surcharge <= Decimal(100):
            errors["services.food_premises.late_surcharge_percent"] = [
                "เงินเพิ่มต้องอยู่ระหว่าง 0–100% (Surcharge must be 0–100%)"
            ]
        else:
            cleaned["food_premises"]["late_surcharge_percent"] = str(surcharge)
    if "correspondence" in cleaned["enabled"]:
        prefix = str((data.get("correspondence") or {}).get("letter_prefix", "")).strip()
        if not prefix or len(prefix) > MAX_LETTER_PREFIX or not LETTER_PREFIX_PATTERN.match(prefix):
            errors["services.correspondence.letter_prefix"] = [
                "รหัสหนังสือออกต้องเป็นอักษรย่อจังหวัดตามด้วยเลขหน่วยงาน เช่น ชบ 52105 "
                "(Letter prefix: province letters and agency digits, e.g. ชบ 52105)"
            ]
        cleaned["correspondence"]["letter_prefix"] = prefix
    if "payments" in cleaned["enabled"]:
        biller = str((data.get("payments") or {}).get("promptpay_biller_id", "")).strip()
        if not re.fullmatch(r"\d{15}", biller):
            errors["services.payments.promptpay_biller_id"] = [
                "Biller ID ต้องเป็นตัวเลข 15 หลัก (เลขผู้เสียภาษี 13 หลัก + 2 หลัก) "
                "(Biller ID must be 15 digits: the 13-digit tax ID + a 2-digit suffix)"
            ]
        elif tax_id and not biller.startswith(tax_id):
            errors["services.payments.promptpay_biller_id"] = [
                "Biller ID ต้องขึ้นต้นด้วยเลขประจำตัวผู้เสียภาษีของหน่วยงาน "
                "(The biller ID must start with the town's tax ID)"
            ]
        cleaned["payments"]["promptpay_biller_id"] = biller
    # One digit style for every official document of the town (services/common/document_text.py).
    documents = data.get("documents") or {}
    digits = documents.get("digits", "arabic") if isinstance(documents, dict) else None
    if digits not in DIGIT_STYLES:
        errors["services.documents.digits"] = [
            "ตัวเลขในเอกสารต้องเป็น thai หรือ arabic (Document digits must be 'thai' or 'arabic')"
        ]
    else:
        cleaned["documents"] = {"digits": digits}
    return cleaned, errors
