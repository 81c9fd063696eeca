"""Benchmark: render a building-permit certificate PDF (WeasyPrint, Sarabun, QR) and read it back.

    .venv/bin/python bench/certificate_pdf.py [--runs 20]

No database: the template gets plain objects shaped like the models. Rewrites its own section of
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform as stdlib_platform
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "platform")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

BEGIN, END = "<!-- certificate-pdf:begin -->", "<!-- certificate-pdf:end -->"


def context():
    detail = SimpleNamespace(
        get_building_use_display=lambda: "บ้านพักอาศัย",
        standard_plan=None,
        floors=2,
        height_m="8.50",
        floor_area_m2="132.00",
        get_deed_type_display=lambda: "โฉนดที่ดิน",
        deed_number="4521",
        parcel_number="88",
        owner_name="นายสมชาย ใจดี",
        engineer_name="นายวิศวกร ทดสอบ",
        engineer_licence="สย.12345",
        architect_name="",
        architect_licence="",
    )
    certificate = SimpleNamespace(
        number=123,
        be_year=2569,
        holder_name="นายสมชาย ใจดี",
        valid_until=dt.date(2027, 11, 25),
        issued_on=dt.date(2026, 11, 25),
    )
    case = SimpleNamespace(
        address="99 หมู่ 3 ตำบลบางเสร่ อำเภอสัตหีบ จังหวัดชลบุรี", tracking_code="BSR-BP-2569-000123"
    )
    town = SimpleNamespace(name_th="เทศบาลตำบลบางเสร่", district="สัตหีบ", province="ชลบุรี")
    return {"certificate": certificate, "detail": detail, "case": case, "town": town}


def main() -> None:
    import django

    django.setup()
    import zxingcpp
    from PIL import Image
    from pypdf import PdfReader

    from services.casework.pdf import qr_data_uri, render_pdf

    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    url = "https://bangsare.thongthin.example/permits/verify/Zx81kq0vB2mNcd5Ee7Hs1w/"
    base = {**context(), "verify_url": url}
    render_pdf(
        "building_permits/permit_pdf.html", {**base, "qr": qr_data_uri(url)}
    )  # warm: fonts merged once
    timings, size = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        pdf = render_pdf("building_permits/permit_pdf.html", {**base, "qr": qr_data_uri(url)})
        timings.append((time.perf_counter() - start) * 1000)
        size = len(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    decoded = [
        r.text
        for page in reader.pages
        for image in page.images
        for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(image.data)))
    ]
    text_ok = "ใบอนุญาตก่อสร้างอาคาร" in "".join(page.extract_text() for page in reader.pages)
    timings.sort()
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    section = "\n".join(
        [
            BEGIN,
            "## Certificate PDF (`bench/certificate_pdf.py`)",
            "",
            f"{runs} renders of the building permit (form อ.1) with its QR; {os.cpu_count()} cores, Python "
            f"{stdlib_platform.python_version()}; command: `.venv/bin/python bench/certificate_pdf.py`.",
            "",
            "| measure | value |",
            "|---|---|",
            f"| render, median | {statistics.median(timings):.0f} ms |",
            f"| render, p95 | {p95:.0f} ms |",
            f"| PDF size | {size / 1024:.0f} KiB |",
            f"| QR decodes to the verification URL | {'yes' if decoded == [url] else 'NO'} |",
            f"| Thai title extracts as text | {'yes' if text_ok else 'NO'} |",
            "",
            "The render runs after the payment commits (a Celery task), never inside the bank callback.",
            END,
        ]
    )
    print(section)
    doc = ROOT / "docs" / "benchmarks.md"
    current = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    if BEGIN in current and END in current:
        current = current.split(BEGIN)[0] + section + current.split(END, 1)[1]
    else:
        current = current.rstrip("\n") + "\n\n" + section + "\n"
    doc.write_text(current, encoding="utf-8")


if __name__ == "__main__":
    main()
