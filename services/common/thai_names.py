"""How a Thai letter or message addresses a person.

"คุณ" is the polite prefix for a bare name ("คุณสมศรี ใจดี"); a name that already carries a title
(นาย, นาง, นางสาว, ดร., ว่าที่ร้อยตรี, a rank…) is written as it stands — "คุณนายสมชาย" reads as
"Madam Somchai"."""

from __future__ import annotations

# Titles a full name may start with, longest first so "นางสาว" is not read as "นาง".
TITLES = (
    "ว่าที่ร้อยตรีหญิง", "ว่าที่ร้อยตรี", "นางสาว", "เด็กหญิง", "เด็กชาย", "ศาสตราจารย์", "รองศาสตราจารย์",
    "ผู้ช่วยศาสตราจารย์", "พระครู", "พระ", "นาง", "นาย", "น.ส.", "ด.ช.", "ด.ญ.", "ดร.", "ผศ.", "รศ.", "ศ.",
    "พล.ต.อ.", "พ.ต.อ.", "พ.ต.ท.", "ร.ต.อ.", "ร.ต.", "ร.ท.", "ร.อ.", "จ.ส.อ.", "คุณ", "Mr.", "Mrs.", "Ms.", "Miss", "Dr.",
)


def has_title(full_name: str) -> bool:
    name = (full_name or "").strip()
    return any(name.startswith(title) for title in TITLES)


def polite_name(full_name: str) -> str:
    """The name as a salutation: "คุณ" + the name, unless it already starts with a title."""
    name = (full_name or "").strip()
    if not name:
        return "ท่าน"
    return name if has_title(name) else f"คุณ{name}"
