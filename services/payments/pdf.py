"""HTML → PDF with Thai text shaped correctly (WeasyPrint + HarfBuzz) and the vendored Sarabun font.

Shared helper: any service may call `render_pdf("app/template.html", context)`. The font comes from
the repository's static files (services/payments/static/payments/fonts), so a fresh machine needs no system
Thai font. Templates get `pdf_fonts_css` (the @font-face rules) and `pdf_base_css` (A4, 16 pt
Sarabun — the metric twin of TH Sarabun PSK used on official documents).
"""

from __future__ import annotations

import base64
import functools
from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

# Whole Sarabun TTFs (OFL, unmodified, from the Google Fonts release) rather than the portal's
# woff2 files: those are split into Thai and Latin subsets of one family, and PDFs made from the
# split subsets extract to garbled text (each subset's glyph ids collide in readers' ToUnicode maps).
FONT_FILES = {
    400: "payments/fonts/Sarabun-Regular.ttf",
    700: "payments/fonts/Sarabun-Bold.ttf",
}

BASE_CSS = """
@page { size: A4; margin: 2cm 2cm 2cm 3cm; }
body { font-family: "Sarabun", sans-serif; font-size: 16pt; line-height: 1.35; color: #000; }
h1, h2, h3 { margin: 0.2em 0; }
table { width: 100%; border-collapse: collapse; }
th, td { border: 0.5pt solid #555; padding: 3pt 5pt; vertical-align: top; }
.right { text-align: right; } .center { text-align: center; } .small { font-size: 12pt; }
"""


class FontMissing(RuntimeError):
    pass


@functools.cache
def fonts_css() -> str:
    """@font-face rules pointing at the vendored Sarabun files (file:// URIs, resolved once)."""
    rules = []
    for weight, relative in FONT_FILES.items():
        found = finders.find(relative)
        if not found:
            raise FontMissing(f"Thai font not found in static files: {relative}")
        uri = Path(found).resolve().as_uri()
        rules.append(
            f'@font-face {{ font-family: "Sarabun"; font-weight: {weight}; '
            f'src: url("{uri}") format("truetype"); }}'
        )
    return "\n".join(rules)


def png_data_uri(png: bytes) -> str:
    return mark_safe("data:image/png;base64," + base64.b64encode(png).decode("ascii"))  # noqa: S308


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render a Django template to PDF bytes."""
    from weasyprint import HTML

    html = render_to_string(
        template_name,
        {
            **context,
            "pdf_fonts_css": mark_safe(fonts_css()),  # noqa: S308 (our own CSS)
            "pdf_base_css": mark_safe(BASE_CSS),  # noqa: S308
        },
    )
    return HTML(string=decompose_sara_am(html), base_url=None).write_pdf()


def decompose_sara_am(text: str) -> str:
    """SARA AM (ำ) as NIKHAHIT + SARA AA, which is how HarfBuzz draws it anyway.

    The PDF's ToUnicode map has one text per glyph; left composed, the SARA AA glyph of "ำ" gets the
    text "ำ" and every plain "า" in the document then copies out as "ำ". Decomposed, each glyph
    copies out as itself and the text is canonical-equivalent under NFKD.
    """
    return text.replace("\u0e33", "\u0e4d\u0e32")
