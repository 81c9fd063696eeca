"""CSV staff import: UTF-8 and Windows-874, a row-by-row report, nothing saved by the parser."""

from __future__ import annotations

from onboarding.staff_import import read_staff_csv

DEPARTMENTS = [
    {"code": "office", "name_th": "สำนักปลัด", "name_en": "Office"},
    {"code": "engineering", "name_th": "กองช่าง", "name_en": "Engineering"},
]
GOOD = (
    "name,email,phone,department,role\n"
    "สมชาย ใจดี,somchai@example.org,081-234-5678,กองช่าง,building_engineer\n"
    "สุดา บริการ,suda@example.org,,office,เจ้าหน้าที่ศูนย์บริการร่วม;officer\n"
)


def test_utf8_with_bom_is_read():
    report = read_staff_csv(("\ufeff" + GOOD).encode("utf-8"), departments=DEPARTMENTS)
    assert report.is_valid
    assert report.encoding == "utf-8"
    assert report.rows[0].data == {
        "first_name": "สมชาย",
        "last_name": "ใจดี",
        "email": "somchai@example.org",
        "phone": "0812345678",
        "department": "engineering",
        "roles": ["building_engineer"],
    }
    assert report.rows[1].data["roles"] == ["oss_officer", "officer"]


def test_thai_windows_874_is_read():
    report = read_staff_csv(GOOD.encode("cp874"), departments=DEPARTMENTS)
    assert report.is_valid
    assert report.encoding == "windows-874"
    assert report.rows[0].data["first_name"] == "สมชาย"


def test_thai_headers_and_semicolons_are_understood():
    text = "ชื่อ-นามสกุล;อีเมล;โทรศัพท์;กอง;บทบาท\nมานพ ปฏิบัติ;manop@example.org;;office;officer\n"
    assert read_staff_csv(text.encode("utf-8"), departments=DEPARTMENTS).is_valid


def test_missing_columns_are_a_file_error():
    report = read_staff_csv(b"name,email\nx,x@example.org\n", departments=DEPARTMENTS)
    assert not report.is_valid
    assert "phone, department, role" in report.file_errors[0]


def test_each_bad_row_is_reported_with_its_line_number():
    text = GOOD + ("ไม่มีอีเมล,,0812345678,office,officer\nซ้ำ ซ้ำ,somchai@example.org,12,กองคลัง,mayor\n")
    report = read_staff_csv(text.encode("utf-8"), departments=DEPARTMENTS)
    assert not report.is_valid
    assert [r.line for r in report.invalid_rows] == [4, 5]
    bad = " ".join(report.invalid_rows[1].errors)
    for fragment in ("Duplicate email", "Invalid phone", "Unknown department", "Unknown role"):
        assert fragment in bad
    assert len(report.valid_rows) == 2


def test_binary_garbage_is_refused_clearly():
    report = read_staff_csv(b"\x81\x8d\x8f\x90" * 10, departments=DEPARTMENTS)
    assert not report.is_valid
    assert report.file_errors
