"""CSV and Excel exports of complaints. Cells that a spreadsheet would run as a formula
(=, +, -, @, tab, CR) are prefixed with an apostrophe (OWASP "CSV injection")."""

from __future__ import annotations

import csv
import io

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook

from services.common.buddhist_era import format_be_datetime

from .models import Complaint
from .sla import BANGKOK

HEADERS = [
    "เลขติดตามเรื่อง (Tracking code)",
    "วันที่รับ (Received)",
    "ประเภท (Category)",
    "ชุมชน (Community)",
    "สถานะ (Status)",
    "ช่องทาง (Channel)",
    "กอง (Department)",
    "ผู้รับผิดชอบ (Assignee)",
    "กำหนดเสร็จ (Due)",
    "ดำเนินการแล้ว (Resolved)",
    "ชั่วโมงทำการที่ใช้ (Working hours)",
    "ตามเป้าหมาย (On time)",
    "คะแนน (Rating)",
    "ละติจูด",
    "ลองจิจูด",
    "รายละเอียด (Description)",
]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _when(value) -> str:
    return format_be_datetime(value.astimezone(BANGKOK)) if value else ""


def rows(cases: QuerySet[Complaint]):
    for c in cases.select_related("category", "community", "department", "assigned_to").iterator(
        chunk_size=500
    ):
        on_time = "" if not c.resolved_at else ("ใช่" if c.due_at and c.resolved_at <= c.due_at else "ไม่")
        yield [
            safe_cell(v)
            for v in (
                c.tracking_code,
                _when(c.received_at),
                c.category.name_th,
                c.community.name_th if c.community else "",
                c.get_status_display(),
                c.get_channel_display(),
                c.department.name_th if c.department else "",
                c.assigned_to.display_name if c.assigned_to else "",
                _when(c.due_at),
                _when(c.resolved_at),
                str(c.resolution_working_hours or ""),
                on_time,
                c.rating or "",
                str(c.latitude),
                str(c.longitude),
                c.description,
            )
        ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(cases: QuerySet[Complaint], *, filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def stream():
        yield "\ufeff"  # BOM: Excel opens UTF-8 Thai correctly
        yield writer.writerow(HEADERS)
        for row in rows(cases):
            yield writer.writerow(row)

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(cases: QuerySet[Complaint], *, filename: str) -> HttpResponse:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("complaints")
    sheet.append(HEADERS)
    for row in rows(cases):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
