"""Register printouts (ทะเบียนหนังสือรับ/ส่ง) and the destruction list, as PDF and Excel.

Columns follow the regulation's registers (domain-sources §5.4): registration no. and date, ที่,
ลงวันที่, จาก, ถึง, เรื่อง, การปฏิบัติ, หมายเหตุ. A secret letter the reader may not open keeps its
row (the numbers must stay gapless) with the subject withheld.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.utils import timezone

from services.common.buddhist_era import format_be_short

from .models import RegisterEntry

WITHHELD = "(หนังสือชั้นความลับ — ไม่แสดงเรื่อง)"
COLUMNS = ["เลขทะเบียน", "วันที่ลงทะเบียน", "ที่", "ลงวันที่", "จาก", "ถึง", "เรื่อง", "การปฏิบัติ", "หมายเหตุ"]


def register_rows(entries: Iterable[RegisterEntry]) -> list[dict]:
    rows = []
    for entry in entries:
        letter = entry.letter
        visible = getattr(entry, "letter_visible", True)
        rows.append(
            {
                "number": entry.number,
                "year": entry.year,
                "registered_at": entry.registered_at,
                "letter_number": letter.letter_number,
                "letter_date": format_be_short(letter.letter_date) if letter.letter_date else "",
                "sender": letter.sender_name,
                "recipient": letter.recipient_name,
                "subject": letter.subject if visible else WITHHELD,
                "action": letter.action_note if visible else "",
                "remarks": " ".join(
                    filter(
                        None,
                        [
                            letter.get_urgency_display() if letter.urgency != "normal" else "",
                            letter.get_secrecy_display() if letter.secrecy != "normal" else "",
                            letter.notes if visible else "",
                        ],
                    )
                ),
            }
        )
    return rows


def register_xlsx(*, title: str, rows: list[dict], period_label: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append([title])
    sheet.append([period_label])
    sheet.append(COLUMNS)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(
            [
                f"{row['number']}/{row['year']}",
                format_be_short(row["registered_at"]),
                row["letter_number"],
                row["letter_date"],
                row["sender"],
                row["recipient"],
                row["subject"],
                row["action"],
                row["remarks"],
            ]
        )
    for column, width in zip("ABCDEFGHI", (12, 14, 18, 14, 28, 28, 50, 30, 24), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def today_label() -> str:
    return format_be_short(timezone.localdate())
