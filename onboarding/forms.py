"""The wizard's step forms. The same forms validate provision_town files and the platform API
(onboarding/spec.py), so a town is checked the same way however it arrives."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from services.accounts.roles import ROLES
from services.common.thai_id import normalize_thai_id, validate_thai_id
from services.common.thai_phone import normalize_thai_phone
from tenants.models import Domain, Municipality, MunicipalityKind, validate_subdomain

from . import boundary as boundary_module
from . import geography
from .service_defaults import FEE_FIELDS, default_service_settings, service_labels, validate_service_settings

HOSTNAME = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# domain.md: รหัส อปท. = 2-digit type + province + district + sequence; type 05 = เทศบาลตำบล, 06 = อบต.
LAO_TYPE_FOR_KIND = {MunicipalityKind.SUBDISTRICT: "05", MunicipalityKind.SAO: "06"}

STEPS = [
    (1, "identity", "ข้อมูลหน่วยงาน", "Identity"),
    (2, "web", "ที่อยู่เว็บไซต์", "Web address"),
    (3, "area", "พื้นที่และชุมชน", "Area and communities"),
    (4, "services", "บริการ", "Services"),
    (5, "people", "บุคลากร", "People"),
    (6, "branding", "รูปลักษณ์", "Branding"),
    (7, "review", "ตรวจสอบและเปิดใช้งาน", "Review and go live"),
]


def bilingual(th: str, en: str) -> str:
    return f"{th} / {en}"


GENERIC_ERRORS = {
    "required": "จำเป็นต้องกรอก (This field is required)",
    "invalid": "รูปแบบไม่ถูกต้อง (Enter a valid value)",
    "invalid_choice": "ตัวเลือกไม่ถูกต้อง (Select a valid choice)",
    "max_length": "ยาวเกินกำหนด (Too long)",
    "max_digits": "ตัวเลขยาวเกินไป (Too many digits)",
    "max_decimal_places": "ทศนิยมได้ไม่เกิน 2 ตำแหน่ง (At most 2 decimal places)",
    "empty": "ไฟล์ว่างเปล่า (The file is empty)",
    "missing": "ไม่พบไฟล์ (No file was submitted)",
}


class BilingualForm(forms.Form):
    """Django's built-in messages are English; give every field Thai-and-English ones."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            for code, text in GENERIC_ERRORS.items():
                if code in field.error_messages and not any(
                    "ก" <= ch <= "๙" for ch in str(field.error_messages[code])
                ):
                    field.error_messages[code] = text


def _required(th: str, en: str) -> dict:
    return {"required": f"{th}: จำเป็นต้องกรอก ({en} is required)"}


class IdentityForm(BilingualForm):
    name_th = forms.CharField(
        label=bilingual("ชื่อหน่วยงาน (ภาษาไทย)", "Name (Thai)"),
        max_length=200,
        error_messages=_required("ชื่อภาษาไทย", "Thai name"),
    )
    name_en = forms.CharField(
        label=bilingual("ชื่อหน่วยงาน (ภาษาอังกฤษ)", "Name (English)"),
        max_length=200,
        error_messages=_required("ชื่อภาษาอังกฤษ", "English name"),
    )
    short_code = forms.RegexField(
        label=bilingual("อักษรย่อ (นำหน้าเลขติดตามเรื่อง)", "Short code (prefix of tracking numbers)"),
        regex=r"^[A-Z]{2,5}$",
        max_length=5,
        error_messages={
            "invalid": "อักษรอังกฤษตัวใหญ่ 2–5 ตัว (2–5 capital letters)",
            **_required("อักษรย่อ", "Short code"),
        },
    )
    kind = forms.ChoiceField(
        label=bilingual("ประเภท", "Kind"),
        choices=MunicipalityKind.choices,
        error_messages={"invalid_choice": "ประเภทไม่ถูกต้อง (Unknown kind)", **_required("ประเภท", "Kind")},
    )
    lao_code = forms.RegexField(
        label=bilingual("รหัส อปท. (8 หลัก)", "LAO code (8 digits)"),
        regex=r"^\d{8}$",
        error_messages={
            "invalid": "รหัส อปท. ต้องเป็นตัวเลข 8 หลัก (The LAO code must be 8 digits)",
            **_required("รหัส อปท.", "LAO code"),
        },
    )
    province_code = forms.ChoiceField(
        label=bilingual("จังหวัด", "Province"),
        choices=(),
        error_messages={"invalid_choice": "ไม่มีจังหวัดนี้ (Unknown province)", **_required("จังหวัด", "Province")},
    )
    district_code = forms.ChoiceField(
        label=bilingual("อำเภอ / เขต", "District"),
        choices=(),
        error_messages={
            "invalid_choice": "อำเภอนี้ไม่อยู่ในจังหวัดที่เลือก (This district is not in the chosen province)",
            **_required("อำเภอ", "District"),
        },
    )
    tax_id = forms.CharField(
        label=bilingual("เลขประจำตัวผู้เสียภาษี (13 หลัก)", "Tax ID (13 digits)"),
        max_length=20,
        error_messages=_required("เลขประจำตัวผู้เสียภาษี", "Tax ID"),
    )
    address = forms.CharField(
        label=bilingual("ที่อยู่สำนักงาน", "Office address"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages=_required("ที่อยู่", "Address"),
    )
    phone = forms.CharField(
        label=bilingual("โทรศัพท์", "Phone"), max_length=20, error_messages=_required("โทรศัพท์", "Phone")
    )
    email = forms.EmailField(
        label=bilingual("อีเมล", "Email"),
        error_messages={"invalid": "อีเมลไม่ถูกต้อง (Invalid email)", **_required("อีเมล", "Email")},
    )

    def __init__(self, *args, exclude_town_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.exclude_town_id = exclude_town_id
        self.fields["province_code"].choices = [("", "—"), *geography.province_choices()]
        self.fields["district_code"].choices = [("", "—"), *geography.district_choices()]

    def _others(self):
        towns = Municipality.objects.all()
        return towns.exclude(pk=self.exclude_town_id) if self.exclude_town_id else towns

    def clean_tax_id(self) -> str:
        value = normalize_thai_id(self.cleaned_data["tax_id"])
        validate_thai_id(value)
        if self._others().filter(tax_id=value).exists():
            raise ValidationError(
                "เลขประจำตัวผู้เสียภาษีนี้มีหน่วยงานใช้แล้ว (This tax ID is already registered)", code="duplicate_tax_id"
            )
        return value

    def clean_lao_code(self) -> str:
        value = self.cleaned_data["lao_code"]
        if self._others().filter(lao_code=value).exists():
            raise ValidationError(
                "รหัส อปท. นี้มีในระบบแล้ว (This LAO code is already registered)", code="duplicate_lao_code"
            )
        return value

    def clean_short_code(self) -> str:
        value = self.cleaned_data["short_code"]
        if self._others().filter(short_code=value).exists():
            raise ValidationError(
                "อักษรย่อนี้มีหน่วยงานใช้แล้ว (This short code is taken)", code="duplicate_short_code"
            )
        return value

    def clean_phone(self) -> str:
        value = normalize_thai_phone(self.cleaned_data["phone"])
        if not value:
            raise ValidationError("หมายเลขโทรศัพท์ไม่ถูกต้อง (Not a valid Thai phone number)", code="thai_phone")
        return value

    def clean(self):
        data = super().clean()
        province, district = data.get("province_code"), data.get("district_code")
        if province and district and not geography.district_belongs_to(district, province):
            self.add_error(
                "district_code",
                ValidationError(
                    "อำเภอนี้ไม่อยู่ในจังหวัดที่เลือก (This district is not in the chosen province)",
                    code="district_province",
                ),
            )
        lao = data.get("lao_code")
        if lao and province and lao[2:4] != province:
            self.add_error(
                "lao_code",
                ValidationError(
                    f"หลักที่ 3–4 ของรหัส อปท. ต้องเป็นรหัสจังหวัด {province} "
                    f"(Digits 3–4 of the LAO code must be the province code {province})",
                    code="lao_province",
                ),
            )
        elif lao and district and lao[4:6] != district[2:4]:
            self.add_error(
                "lao_code",
                ValidationError(
                    f"หลักที่ 5–6 ของรหัส อปท. ต้องเป็นรหัสอำเภอ {district[2:4]} "
                    f"(Digits 5–6 of the LAO code must be the district code {district[2:4]})",
                    code="lao_district",
                ),
            )
        expected_type = LAO_TYPE_FOR_KIND.get(data.get("kind"))
        if lao and expected_type and lao[:2] != expected_type and "lao_code" not in self.errors:
            self.add_error(
                "lao_code",
                ValidationError(
                    f"รหัส อปท. ของประเภทนี้ขึ้นต้นด้วย {expected_type} "
                    f"(For this kind the LAO code starts with {expected_type})",
                    code="lao_kind",
                ),
            )
        if province:
            data["province"] = geography.province_name(province)
        if district:
            data["district"] = geography.district_name(district)
        return data


class WebForm(BilingualForm):
    slug = forms.CharField(
        label=bilingual("โดเมนย่อย", "Subdomain"),
        max_length=30,
        help_text=bilingual("อักษรอังกฤษตัวเล็ก ตัวเลข ขีดกลาง 3–30 ตัว", "3–30 lowercase letters, digits, hyphens"),
        error_messages=_required("โดเมนย่อย", "Subdomain"),
    )
    custom_domain = forms.CharField(
        label=bilingual("โดเมนของหน่วยงานเอง (ถ้ามี)", "Custom domain (optional)"),
        max_length=253,
        required=False,
    )

    def __init__(self, *args, exclude_town_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.exclude_town_id = exclude_town_id

    def clean_slug(self) -> str:
        value = self.cleaned_data["slug"].strip().lower()
        check_subdomain_available(value, exclude_town_id=self.exclude_town_id)
        return value

    def clean_custom_domain(self) -> str:
        value = (self.cleaned_data.get("custom_domain") or "").strip().lower().rstrip(".")
        if not value:
            return ""
        if not HOSTNAME.match(value):
            raise ValidationError("ชื่อโดเมนไม่ถูกต้อง (Not a valid domain name)", code="invalid_domain")
        if value == settings.PLATFORM_DOMAIN or value.endswith("." + settings.PLATFORM_DOMAIN):
            raise ValidationError(
                "ใช้โดเมนย่อยด้านบนแทน (Use the subdomain field for platform addresses)", code="platform_domain"
            )
        taken = Domain.objects.filter(domain=value)
        if self.exclude_town_id:
            taken = taken.exclude(tenant_id=self.exclude_town_id)
        if taken.exists():
            raise ValidationError(
                "โดเมนนี้มีหน่วยงานใช้แล้ว (This domain is already in use)", code="duplicate_domain"
            )
        return value


def check_subdomain_available(value: str, *, exclude_town_id: int | None = None) -> None:
    """Raise ValidationError unless `value` is a well-formed, unreserved, unused subdomain."""
    validate_subdomain(value)
    towns = Municipality.objects.filter(slug=value)
    hosts = Domain.objects.filter(domain=f"{value}.{settings.PLATFORM_DOMAIN}")
    if exclude_town_id:
        towns, hosts = towns.exclude(pk=exclude_town_id), hosts.exclude(tenant_id=exclude_town_id)
    if towns.exists() or hosts.exists():
        raise ValidationError(
            "โดเมนย่อยนี้มีหน่วยงานใช้แล้ว (This subdomain is already taken)", code="duplicate_subdomain"
        )


def parse_lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class AreaForm(BilingualForm):
    boundary_file = forms.FileField(
        label=bilingual("ไฟล์ขอบเขต GeoJSON", "Boundary GeoJSON file"), required=False
    )
    boundary_text = forms.CharField(
        label=bilingual("หรือวาง GeoJSON", "or paste GeoJSON"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    communities = forms.CharField(
        label=bilingual("ชุมชน (บรรทัดละหนึ่งชุมชน)", "Communities (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args, current_boundary: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.current_boundary = current_boundary

    def clean(self):
        data = super().clean()
        upload = data.get("boundary_file")
        raw = upload.read() if upload else (data.get("boundary_text") or "").strip()
        if raw:
            try:
                parsed = boundary_module.parse_boundary(raw)
            except ValidationError as exc:
                self.add_error("boundary_file" if upload else "boundary_text", exc)
                return data
            data["boundary"] = boundary_module.as_plain_geojson(parsed)
            data["area_km2"] = parsed.area_km2
        elif self.current_boundary:
            data["boundary"] = self.current_boundary
            data["area_km2"] = boundary_module.area_km2(boundary_module.shape(self.current_boundary))
        else:
            self.add_error(
                "boundary_file",
                ValidationError("ต้องมีขอบเขตพื้นที่ (A boundary is required)", code="boundary_required"),
            )
        names = parse_lines(data.get("communities", ""))
        if len(names) != len(set(names)):
            self.add_error("communities", ValidationError("ชื่อชุมชนซ้ำกัน (Duplicate community names)"))
        if any(len(name) > 200 for name in names):
            self.add_error(
                "communities", ValidationError("ชื่อชุมชนยาวเกิน 200 ตัวอักษร (Community name too long)")
            )
        data["communities_list"] = names
        return data


def categories_to_text(categories: list[dict]) -> str:
    return "\n".join(
        f"{c['name_th']} | {c.get('name_en', '')} | {c.get('sla_days', 1)} | {c.get('code', '')}"
        for c in categories
    )


def categories_from_text(text: str) -> list[dict]:
    categories = []
    for line in parse_lines(text):
        parts = [p.strip() for p in line.split("|")]
        parts += [""] * (4 - len(parts))
        categories.append(
            {
                "name_th": parts[0],
                "name_en": parts[1],
                "sla_days": parts[2] or 1,
                "code": parts[3] or f"cat{len(categories) + 1}",
            }
        )
    return categories


class ServicesForm(BilingualForm):
    enabled = forms.MultipleChoiceField(
        label=bilingual("บริการที่เปิดใช้", "Services to enable"),
        required=False,
        choices=lambda: [(code, bilingual(*labels)) for code, labels in service_labels().items()],
        widget=forms.CheckboxSelectMultiple,
    )
    categories = forms.CharField(
        label=bilingual(
            "หมวดเรื่องร้องเรียน: ชื่อไทย | ชื่ออังกฤษ | วันทำการ | รหัส",
            "Complaint categories: Thai | English | working days | code",
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    late_surcharge_percent = forms.DecimalField(
        label=bilingual("เงินเพิ่มเมื่อชำระล่าช้า (%)", "Late surcharge (%)"),
        required=False,
        max_digits=5,
        decimal_places=2,
    )
    letter_prefix = forms.CharField(
        label=bilingual("รหัสหนังสือออก (เช่น ชบ 52105)", "Letter-number prefix (e.g. ชบ 52105)"),
        required=False,
        max_length=20,
    )
    promptpay_biller_id = forms.CharField(
        label=bilingual("รหัสผู้รับชำระพร้อมเพย์ (Biller ID 15 หลัก)", "PromptPay biller ID (15 digits)"),
        required=False,
        max_length=15,
    )
    document_digits = forms.ChoiceField(
        label=bilingual("ตัวเลขในเอกสารราชการ", "Digits in official documents"),
        choices=[
            ("arabic", bilingual("เลขอารบิก (123)", "Arabic digits (123)")),
            ("thai", bilingual("เลขไทย (๑๒๓)", "Thai digits (๑๒๓)")),
        ],
        initial="arabic",
        required=False,
        help_text=bilingual(
            "ใช้ทั้งฉบับในหนังสือ ใบอนุญาต หนังสือรับรอง และใบเสร็จ (ที่อยู่เว็บและรหัสชำระเงินคงเป็นเลขอารบิก)",
            "Used throughout letters, permits, certificates and receipts (web addresses and payment references stay Arabic)",
        ),
    )

    def __init__(self, *args, tax_id: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.tax_id = tax_id
        for (service, key), (th, en, cap, _source) in FEE_FIELDS.items():
            self.fields[f"{service}__{key}"] = forms.DecimalField(
                label=bilingual(th, en),
                required=False,
                max_digits=10,
                decimal_places=2,
                help_text=f"เพดาน {cap} บาท (cap {cap} baht)",
            )

    @classmethod
    def initial_from_settings(cls, settings_dict: dict) -> dict:
        initial = {
            "enabled": settings_dict.get("enabled", []),
            "categories": categories_to_text((settings_dict.get("complaints") or {}).get("categories", [])),
            "late_surcharge_percent": (settings_dict.get("food_premises") or {}).get(
                "late_surcharge_percent"
            ),
            "letter_prefix": (settings_dict.get("correspondence") or {}).get("letter_prefix", ""),
            "promptpay_biller_id": (settings_dict.get("payments") or {}).get("promptpay_biller_id", ""),
            "document_digits": (settings_dict.get("documents") or {}).get("digits", "arabic"),
        }
        for service, key in FEE_FIELDS:
            initial[f"{service}__{key}"] = (settings_dict.get(service) or {}).get(key)
        return initial

    def clean(self):
        data = super().clean()
        defaults = default_service_settings(self.tax_id)
        raw: dict = {"enabled": data.get("enabled") or []}
        for service, key in FEE_FIELDS:
            value = data.get(f"{service}__{key}")
            raw.setdefault(service, {})[key] = defaults[service].get(key) if value is None else str(value)
        raw["complaints"] = {"categories": categories_from_text(data.get("categories", ""))}
        surcharge = data.get("late_surcharge_percent")
        raw.setdefault("food_premises", {})["late_surcharge_percent"] = (
            str(surcharge) if surcharge is not None else defaults["food_premises"]["late_surcharge_percent"]
        )
        raw["correspondence"] = {"letter_prefix": data.get("letter_prefix", "")}
        raw.setdefault("payments", {})["promptpay_biller_id"] = data.get("promptpay_biller_id", "")
        raw["documents"] = {"digits": data.get("document_digits") or "arabic"}
        cleaned, errors = validate_service_settings(raw, tax_id=self.tax_id)
        field_for = {
            "services.enabled": "enabled",
            "services.complaints.categories": "categories",
            "services.food_premises.late_surcharge_percent": "late_surcharge_percent",
            "services.correspondence.letter_prefix": "letter_prefix",
            "services.payments.promptpay_biller_id": "promptpay_biller_id",
            "services.documents.digits": "document_digits",
        }
        for key, messages in errors.items():
            name = field_for.get(key) or key.removeprefix("services.").replace(".", "__")
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
        data["settings"] = cleaned
        return data


def departments_to_text(departments: list[dict]) -> str:
    return "\n".join(f"{d['code']} | {d['name_th']} | {d.get('name_en', '')}" for d in departments)


def validate_departments(departments) -> tuple[list[dict], list[str]]:
    errors, cleaned, codes = [], [], set()
    if not isinstance(departments, list) or not departments:
        return [], ["ต้องมีกอง/ส่วนอย่างน้อย 1 หน่วย (At least one department is required)"]
    for index, dept in enumerate(departments, start=1):
        if not isinstance(dept, dict):
            errors.append(f"บรรทัด {index}: ต้องเป็นออบเจ็กต์ (Line {index}: must be an object/mapping)")
            continue
        code = str(dept.get("code", "")).strip().lower()
        name_th = str(dept.get("name_th", "")).strip()
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,39}", code):
            errors.append(
                f"บรรทัด {index}: รหัสกองต้องเป็น a-z 0-9 (Line {index}: code must be a-z, 0-9): {code or '-'}"
            )
        if not name_th:
            errors.append(f"บรรทัด {index}: ต้องมีชื่อกอง (Line {index}: name is required)")
        if code in codes:
            errors.append(f"บรรทัด {index}: รหัสกองซ้ำ (Line {index}: duplicate code) {code}")
        codes.add(code)
        cleaned.append({"code": code, "name_th": name_th, "name_en": str(dept.get("name_en", "")).strip()})
    return cleaned, errors


class PeopleForm(BilingualForm):
    departments = forms.CharField(
        label=bilingual(
            "กอง/ส่วน: รหัส | ชื่อไทย | ชื่ออังกฤษ (บรรทัดละหนึ่ง)", "Departments: code | Thai | English (one per line)"
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages=_required("กอง/ส่วน", "Departments"),
    )
    admin_first_name = forms.CharField(
        label=bilingual("ชื่อผู้ดูแลระบบคนแรก", "First admin: first name"),
        max_length=150,
        error_messages=_required("ชื่อผู้ดูแลระบบ", "Admin first name"),
    )
    admin_last_name = forms.CharField(
        label=bilingual("นามสกุล", "Last name"),
        max_length=150,
        error_messages=_required("นามสกุลผู้ดูแลระบบ", "Admin last name"),
    )
    admin_email = forms.EmailField(
        label=bilingual("อีเมลผู้ดูแลระบบ", "Admin email"),
        error_messages={"invalid": "อีเมลไม่ถูกต้อง (Invalid email)", **_required("อีเมล", "Email")},
    )
    admin_phone = forms.CharField(label=bilingual("โทรศัพท์", "Phone"), max_length=20, required=False)

    def clean_departments(self) -> list[dict]:
        rows = []
        for line in parse_lines(self.cleaned_data["departments"]):
            parts = [p.strip() for p in line.split("|")] + ["", ""]
            rows.append({"code": parts[0], "name_th": parts[1], "name_en": parts[2]})
        cleaned, errors = validate_departments(rows)
        if errors:
            raise ValidationError(errors)
        return cleaned

    def clean_admin_phone(self) -> str:
        raw = self.cleaned_data.get("admin_phone", "")
        value = normalize_thai_phone(raw)
        if raw and not value:
            raise ValidationError("หมายเลขโทรศัพท์ไม่ถูกต้อง (Not a valid Thai phone number)")
        return value


class StaffCsvForm(BilingualForm):
    staff_csv = forms.FileField(label=bilingual("ไฟล์รายชื่อเจ้าหน้าที่ (CSV)", "Staff list (CSV)"))


class TestMessageForm(BilingualForm):
    """Step 4's "send a test message": proves the platform's SMS/LINE/e-mail account before go-live."""

    channel = forms.ChoiceField(
        label=bilingual("ช่องทาง", "Channel"),
        choices=[("sms", "SMS"), ("email", bilingual("อีเมล", "E-mail")), ("line", "LINE")],
    )
    to = forms.CharField(label=bilingual("ส่งถึง (เบอร์ อีเมล หรือ LINE user ID)", "To (phone, e-mail or LINE user ID)"), max_length=254)
    text = forms.CharField(
        label=bilingual("ข้อความ", "Text"), max_length=500,
        initial="ทดสอบการส่งข้อความจากระบบทองถิ่น (Thongthin test message)",
    )


class BrandingForm(BilingualForm):
    logo = forms.FileField(
        label=bilingual("โลโก้ (PNG/JPEG ไม่เกิน 2 MB)", "Logo (PNG/JPEG, ≤2 MB)"), required=False
    )
    colour = forms.CharField(
        label=bilingual("สีหลัก", "Main colour"),
        max_length=7,
        initial="#0b5394",
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    welcome_th = forms.CharField(
        label=bilingual("ข้อความต้อนรับ (ไทย)", "Welcome text (Thai)"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages=_required("ข้อความต้อนรับ", "Welcome text"),
    )
    welcome_en = forms.CharField(
        label=bilingual("ข้อความต้อนรับ (อังกฤษ)", "Welcome text (English)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_colour(self) -> str:
        value = self.cleaned_data["colour"]
        if not COLOUR.match(value or ""):
            raise ValidationError("สีต้องอยู่ในรูป #RRGGBB (Colour must be #RRGGBB)")
        return value.lower()


ROLE_CHOICES_BILINGUAL = [(r.code, bilingual(r.label_th, r.label_en)) for r in ROLES]
