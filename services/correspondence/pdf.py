"""The official letter layout rendered to PDF with WeasyPrint (HarfBuzz shapes Thai vowels and tone
marks) in the vendored Sarabun font: A4, 16 pt, left margin 3 cm, right 2 cm, space for the
Garuda (3 cm on external letters, 1.5 cm on internal memos; ข้อ 71, 75, 76)."""

from __future__ import annotations

from services.common.pdf import render_pdf

from .town_settings import saraban_settings


def render_letter_pdf(letter) -> bytes:
    """The letter in the official layout, as PDF bytes."""
    return render_pdf(
        "correspondence/pdf/letter.html",
        {"letter": letter, "config": saraban_settings(), "is_memo": letter.kind == "internal"},
    )


def render_register_pdf(*, title: str, entries, period_label: str, town_name: str) -> bytes:
    return render_pdf(
        "correspondence/pdf/register.html",
        {"title": title, "entries": entries, "period_label": period_label, "town_name": town_name},
    )
