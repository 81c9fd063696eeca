"""Staff from a CSV file: UTF-8 or Thai Windows-874, checked row by row before anything is saved.

Columns (English or Thai headers): name/ชื่อ-นามสกุล, email/อีเมล, phone/โทรศัพท์,
department/กอง, role/บทบาท (several roles separated by `;`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from services.accounts.roles import ROLE_BY_CODE, ROLES
from services.common.thai_phone import normalize_thai_phone

MAX_BYTES = 1024 * 1024
MAX_ROWS = 2000
REQUIRED_COLUMNS = ("name", "email", "phone", "department", "role")
HEADER_ALIASES = {
    "name": "name",
    "full name": "name",
    "ชื่อ": "name",
    "ชื่อ-นามสกุล": "name",
    "ชื่อ นามสกุล": "name",
    "email": "email",
    "e-mail": "email",
    "อีเมล": "email",
    "อีเมล์": "email",
    "phone": "phone",
    "telephone": "phone",
    "mobile": "phone",
    "โทรศัพท์": "phone",
    "เบอร์โทร": "phone",
    "department": "department",
    "กอง": "department",
    "กอง/ส่วน": "department",
    "หน่วยงาน": "department",
    "role": "role",
    "roles": "role",
    "บทบาท": "role",
    "ตำแหน่งในระบบ": "role",
}
ROLE_ALIASES = (
    {r.code: r.code for r in ROLES}
    | {r.label_th: r.code for r in ROLES}
    | {r.label_en.lower(): r.code for r in ROLES}
)


@dataclass
class ImportRow:
    line: int
    data: dict
    errors: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors


@dataclass
class ImportReport:
    encoding: str = ""
    file_errors: list[str] = field(default_factory=list)
    rows: list[ImportRow] = field(default_factory=list)

    @property
    def valid_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.is_valid]

    @property
    def invalid_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if not row.is_valid]

    @property
    def is_valid(self) -> bool:
        return not self.file_errors and bool(self.rows) and not self.invalid_rows

    def as_dict(self) -> dict:
        return {
            "encoding": self.encoding,
            "file_errors": self.file_errors,
            "rows": [{"line": r.line, "data": r.data, "errors": r.errors} for r in self.rows],
        }


def decode(raw: bytes) -> tuple[str, str]:
    """Text and the encoding it was read with: UTF-8 (with or without BOM) first, then Windows-874."""
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp874"), "windows-874"
    except UnicodeDecodeError as exc:
        raise ValidationError(
            "อ่านไฟล์ไม่ได้: ต้องเป็น CSV แบบ UTF-8 หรือ Windows-874 (TIS-620) "
            "(Cannot read the file: it must be CSV in UTF-8 or Windows-874)",
            code="csv_encoding",
        ) from exc


def parse_roles(value: str) -> tuple[list[str], list[str]]:
    roles, unknown = [], []
    for part in (value or "").replace("|", ";").replace(",", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        code = ROLE_ALIASES.get(part) or ROLE_ALIASES.get(part.lower())
        (roles if code else unknown).append(code or part)
    return roles, unknown


def department_lookup(departments: list[dict]) -> dict[str, str]:
    """Code, Thai name or English name (case-insensitive) → department code."""
    lookup = {}
    for dept in departments:
        for key in (dept["code"], dept.get("name_th", ""), dept.get("name_en", "")):
            if key:
                lookup[key.strip().lower()] = dept["code"]
    return lookup


def check_staff_row(
    data: dict, *, departments: dict[str, str], seen_emails: set[str]
) -> tuple[dict, list[str]]:
    """Validate one staff entry (from a CSV row or a spec); returns the cleaned entry and errors."""
    errors = []
    name = " ".join(str(data.get("name") or "").split())
    if not name:
        first = str(data.get("first_name") or "").strip()
        last = str(data.get("last_name") or "").strip()
        name = f"{first} {last}".strip()
    if not name:
        errors.append("ไม่มีชื่อ (Name is missing)")
    email = str(data.get("email") or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        errors.append(f"อีเมลไม่ถูกต้อง (Invalid email): {email or '-'}")
    else:
        if email in seen_emails:
            errors.append(f"อีเมลซ้ำในรายการ (Duplicate email): {email}")
        seen_emails.add(email)
    phone_raw = str(data.get("phone") or "").strip()
    phone = normalize_thai_phone(phone_raw) if phone_raw else ""
    if phone_raw and not phone:
        errors.append(f"หมายเลขโทรศัพท์ไม่ถูกต้อง (Invalid phone number): {phone_raw}")
    department_raw = str(data.get("department") or "").strip()
    department = departments.get(department_raw.lower(), "") if department_raw else ""
    if department_raw and not department:
        errors.append(f"ไม่มีกองนี้ในรายการกอง/ส่วน (Unknown department): {department_raw}")
    raw_roles = data.get("roles") if isinstance(data.get("roles"), list) else None
    roles, unknown = parse_roles(
        ";".join(str(role) for role in raw_roles) if raw_roles is not None else str(data.get("role") or "")
    )
    if unknown:
        errors.append(f"ไม่รู้จักบทบาท (Unknown role): {', '.join(unknown)}")
    elif not roles:
        errors.append("ไม่มีบทบาท (Role is missing)")
    first, _sep, last = name.partition(" ")
    cleaned = {
        "first_name": first,
        "last_name": last,
        "email": email,
        "phone": phone,
        "department": department,
        "roles": roles,
    }
    return cleaned, errors


def read_staff_csv(
    raw: bytes, *, departments: list[dict], existing_emails: set[str] = frozenset()
) -> ImportReport:
    """Parse and check every row; nothing is saved here."""
    report = ImportReport()
    if len(raw) > MAX_BYTES:
        report.file_errors.append("ไฟล์ใหญ่เกิน 1 MB (The file is larger than 1 MB)")
        return report
    try:
        text, report.encoding = decode(raw)
    except ValidationError as exc:
        report.file_errors.extend(exc.messages)
        return report
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        report.file_errors.append("ไฟล์ว่างเปล่า (The file is empty)")
        return report
    columns = [HEADER_ALIASES.get(h.strip().lower().lstrip("\ufeff"), "") for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        report.file_errors.append(
            "ไม่มีคอลัมน์ (Missing columns): "
            + ", ".join(missing)
            + " — ต้องมี name, email, phone, department, role (required)"
        )
        return report
    lookup = department_lookup(departments)
    seen = set(existing_emails)
    try:
        for line, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(report.rows) >= MAX_ROWS:
                report.file_errors.append(f"เกิน {MAX_ROWS} แถว (More than {MAX_ROWS} rows)")
                break
            data = {col: values[i].strip() if i < len(values) else "" for i, col in enumerate(columns) if col}
            cleaned, errors = check_staff_row(data, departments=lookup, seen_emails=seen)
            if len(values) != len(header):
                errors.insert(
                    0, f"จำนวนคอลัมน์ไม่ตรงกับหัวตาราง (Expected {len(header)} columns, got {len(values)})"
                )
            report.rows.append(ImportRow(line=line, data=cleaned, errors=errors))
    except csv.Error as exc:
        report.file_errors.append(f"รูปแบบ CSV ไม่ถูกต้อง (Malformed CSV): {exc}")
    if not report.rows and not report.file_errors:
        report.file_errors.append("ไม่มีรายชื่อในไฟล์ (The file has no staff rows)")
    return report


def role_label(code: str) -> str:
    role = ROLE_BY_CODE.get(code)
    return f"{role.label_th} ({role.label_en})" if role else code
