"""One town's specification, as the wizard builds it, provision_town reads it from YAML/JSON and
the platform API receives it — validated by the same step forms in every case.

Canonical shape (a cleaned spec is itself a valid input):

    name_th, name_en, short_code, kind, lao_code, province_code, district_code, tax_id,
    address, phone, email, slug, custom_domain, boundary (GeoJSON), communities [..],
    services {enabled: [..], <service>: {..}}, departments [{code, name_th, name_en}],
    admin {first_name, last_name, email, phone, username?},
    staff [{first_name, last_name | name, email, phone, department, roles [..] | role, username?}],
    branding {colour, welcome_th, welcome_en, logo_png_b64?}
"""

from __future__ import annotations

import base64
import binascii
import re

from django.core.exceptions import ValidationError

from . import boundary as boundary_module
from .forms import BrandingForm, IdentityForm, WebForm, validate_departments
from .logo import process_logo
from .service_defaults import validate_service_settings
from .staff_import import check_staff_row, department_lookup

IDENTITY_FIELDS = (
    "name_th",
    "name_en",
    "short_code",
    "kind",
    "lao_code",
    "province_code",
    "district_code",
    "tax_id",
    "address",
    "phone",
    "email",
)
USERNAME = re.compile(r"^[\w.@+-]{3,150}$")


class SpecInvalid(ValueError):
    """The spec has errors: `errors` maps a field name to its messages (Thai and English)."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


def _form_errors(form, prefix: str = "") -> dict[str, list[str]]:
    return {
        (prefix + name if name != "__all__" else prefix.rstrip(".") or "non_field_errors"): list(messages)
        for name, messages in form.errors.items()
    }


def username_for(email: str) -> str:
    """Town usernames for invited staff are their e-mail addresses (unique in the town)."""
    return email.lower()


def validate_town_spec(spec: dict, *, exclude_town_id: int | None = None) -> dict:
    """Return the cleaned, canonical spec or raise SpecInvalid with every problem found."""
    if not isinstance(spec, dict):
        raise SpecInvalid({"non_field_errors": ["ข้อมูลต้องเป็นออบเจ็กต์ (The town must be an object/mapping)"]})
    errors: dict[str, list[str]] = {}
    clean: dict = {}

    identity = IdentityForm(
        data={k: spec.get(k, "") for k in IDENTITY_FIELDS}, exclude_town_id=exclude_town_id
    )
    if identity.is_valid():
        clean.update({k: identity.cleaned_data[k] for k in (*IDENTITY_FIELDS, "province", "district")})
    else:
        errors.update(_form_errors(identity))

    web = WebForm(
        data={"slug": spec.get("slug", ""), "custom_domain": spec.get("custom_domain", "")},
        exclude_town_id=exclude_town_id,
    )
    if web.is_valid():
        clean.update(web.cleaned_data)
    else:
        errors.update(_form_errors(web))

    try:
        parsed = boundary_module.parse_boundary(spec.get("boundary") or "")
    except ValidationError as exc:
        errors["boundary"] = exc.messages
    else:
        clean["boundary"] = boundary_module.as_plain_geojson(parsed)
        clean["area_km2"] = parsed.area_km2
    communities = spec.get("communities") or []
    if not isinstance(communities, list) or not all(isinstance(c, str) and c.strip() for c in communities):
        errors["communities"] = ["ชุมชนต้องเป็นรายการชื่อ (Communities must be a list of names)"]
    else:
        clean["communities"] = [c.strip() for c in communities]

    services, service_errors = validate_service_settings(
        spec.get("services") or {}, tax_id=clean.get("tax_id", "")
    )
    errors.update(service_errors)
    clean["services"] = services

    departments, dept_errors = validate_departments(spec.get("departments"))
    if dept_errors:
        errors["departments"] = dept_errors
    clean["departments"] = departments

    lookup = department_lookup(departments)
    seen_emails: set[str] = set()
    usernames: set[str] = set()
    admin = spec.get("admin") or {}
    if not isinstance(admin, dict):
        errors["admin"] = ["ผู้ดูแลระบบต้องเป็นออบเจ็กต์ (The admin must be an object/mapping)"]
        admin = {}
    admin_clean, admin_errors = check_staff_row(
        {**admin, "roles": ["town_admin"]} if isinstance(admin, dict) else {},
        departments=lookup,
        seen_emails=seen_emails,
    )
    if isinstance(admin, dict) and admin.get("department") is None:
        admin_clean["department"] = ""
    if admin_errors and "admin" not in errors:
        errors["admin"] = admin_errors
    admin_clean["username"] = str((admin or {}).get("username") or username_for(admin_clean["email"]))
    usernames.add(admin_clean["username"])
    clean["admin"] = admin_clean

    staff = spec.get("staff") or []
    clean["staff"] = []
    if not isinstance(staff, list):
        errors["staff"] = ["รายชื่อเจ้าหน้าที่ต้องเป็นรายการ (Staff must be a list)"]
        staff = []
    for index, row in enumerate(staff, start=1):
        if not isinstance(row, dict):
            errors[f"staff.{index}"] = ["แต่ละรายการต้องเป็นออบเจ็กต์ (Each staff entry must be an object/mapping)"]
            continue
        row_clean, row_errors = check_staff_row(row, departments=lookup, seen_emails=seen_emails)
        username = str(row.get("username") or username_for(row_clean["email"]))
        if not USERNAME.match(username):
            row_errors.append(f"ชื่อผู้ใช้ไม่ถูกต้อง (Invalid username): {username}")
        elif username in usernames:
            row_errors.append(f"ชื่อผู้ใช้ซ้ำ (Duplicate username): {username}")
        usernames.add(username)
        row_clean["username"] = username
        if row_errors:
            errors[f"staff.{index}"] = row_errors
        clean["staff"].append(row_clean)

    branding = spec.get("branding") or {}
    if not isinstance(branding, dict):
        branding = {}
    branding_form = BrandingForm(
        data={
            "colour": branding.get("colour", "#0b5394"),
            "welcome_th": branding.get("welcome_th", ""),
            "welcome_en": branding.get("welcome_en", ""),
        }
    )
    if branding_form.is_valid():
        clean["branding"] = {k: branding_form.cleaned_data[k] for k in ("colour", "welcome_th", "welcome_en")}
    else:
        errors.update(_form_errors(branding_form, "branding."))
        clean["branding"] = {}
    logo = branding.get("logo_png_b64")
    if logo:
        try:
            clean["branding"]["logo_png_b64"] = base64.b64encode(
                process_logo(base64.b64decode(logo, validate=True))
            ).decode()
        except (binascii.Error, ValueError):
            errors["branding.logo"] = ["โลโก้ต้องเป็น base64 (The logo must be base64-encoded)"]
        except ValidationError as exc:
            errors["branding.logo"] = exc.messages
    if errors:
        raise SpecInvalid(errors)
    return clean
