"""The official letter layout rendered to PDF with WeasyPrint (HarfBuzz shapes Thai vowels and tone
marks) in the vendored Sarabun font: A4, 16 pt, left margin 3 cm, right 2 cm, space for the
Garuda (3 cm on external letters, 1.5 cm on internal memos; ข้อ 71, 75, 76)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

FONT_DIR = Path(settings.BASE_DIR) / "platform" / "static" / "fonts" / "sarabun"


# The vendored Sarabun comes as a Thai and a Latin subset. Declared as one family, the renderer
# mixes their glyph tables and draws digits as tone marks; as two families listed Latin first,
# each character comes from the file that has it. Templates use FONT_STACK.
FONT_STACK = "'Sarabun Latin', 'Sarabun Thai', sans-serif"


def _font_faces() -> str:
    faces = []
    for weight in (400, 700):
        for subset, family in (("latin", "Sarabun Latin"), ("thai", "Sarabun Thai")):
            path = FONT_DIR / f"sarabun-{subset}-{weight}-normal.woff2"
            if path.exists():
                faces.append(
                    f"@font-face {{ font-family: '{family}'; font-weight: {weight}; "
                    f"src: url('{path.as_uri()}'); }}"
                )
    return "\n".join(faces)


def render_html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=str(FONT_DIR)).write_pdf()


def render_letter_pdf(letter) -> bytes:
    """The letter in the official layout, as PDF bytes."""
    from .actions import saraban_settings

    html = render_to_string(
        "correspondence/pdf/letter.html",
        {
            "letter": letter,
            "config": saraban_settings(),
            "font_faces": _font_faces(),
            "font_stack": FONT_STACK,
            "is_memo": letter.kind == "internal",
        },
    )
    return render_html_to_pdf(html)


def render_register_pdf(*, title: str, entries, period_label: str, town_name: str) -> bytes:
    html = render_to_string(
        "correspondence/pdf/register.html",
        {
            "title": title,
            "entries": entries,
            "period_label": period_label,
            "town_name": town_name,
            "font_faces": _font_faces(),
            "font_stack": FONT_STACK,
        },
    )
    return render_html_to_pdf(html)
