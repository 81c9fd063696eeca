"""HTML → PDF for every official document (receipts, bills, permits, certificates, letters).

WeasyPrint shapes Thai vowels and tone marks with HarfBuzz; the font is Sarabun (the metric twin of
TH Sarabun PSK), vendored in platform/static/fonts/sarabun as whole TrueType files so a fresh
machine needs no system Thai font. Whole files, not the portal's woff2 Thai/Latin subsets: a PDF
made from two subsets of one family copies out as garbled text (their glyph ids collide in the
readers' ToUnicode maps).

Templates get `pdf_fonts_css` (the @font-face rules) and `pdf_base_css` (A4, 16 pt Sarabun, official
margins: 3 cm left, 2 cm right) and use `font-family: "Sarabun"`.
"""

from __future__ import annotations

import base64
import functools
import io
from pathlib import Path

import qrcode
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from services.common.document_text import digit_style, official_html

FONT_DIR = Path(settings.BASE_DIR) / "platform" / "static" / "fonts" / "sarabun"
FONT_FILES = {400: "Sarabun-Regular.ttf", 700: "Sarabun-Bold.ttf"}

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
def fonts_css() -> SafeString:
    """@font-face rules pointing at the vendored Sarabun files (file:// URIs)."""
    rules = []
    for weight, name in FONT_FILES.items():
        path = FONT_DIR / name
        if not path.exists():
            raise FontMissing(f"Thai font missing: {path}")
        rules.append(
            f'@font-face {{ font-family: "Sarabun"; font-weight: {weight}; '
            f'src: url("{path.resolve().as_uri()}") format("truetype"); }}'
        )
    return mark_safe("\n".join(rules))  # noqa: S308 (our own CSS)


def qr_png(data: str, *, box_size: int = 8) -> bytes:
    """A QR code (error correction M) as PNG bytes."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=2)
    code.add_data(data)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()


def png_data_uri(png: bytes) -> SafeString:
    return mark_safe("data:image/png;base64," + base64.b64encode(png).decode("ascii"))  # noqa: S308


def qr_data_uri(data: str) -> SafeString:
    return png_data_uri(qr_png(data))


def decompose_sara_am(text: str) -> str:
    """SARA AM (ำ) as NIKHAHIT + SARA AA, which is how HarfBuzz draws it anyway.

    The PDF's ToUnicode map has one text per glyph; left composed, the SARA AA glyph of "ำ" gets the
    text "ำ" and every plain "า" in the document then copies out as "ำ". Decomposed, each glyph
    copies out as itself and the text is canonical-equivalent under NFKD.
    """
    return text.replace("\u0e33", "\u0e4d\u0e32")


def render_html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=decompose_sara_am(html), base_url=str(FONT_DIR)).write_pdf()


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render a Django template to PDF bytes. Official documents are Thai whatever the language of
    the page that asked for them (dates in the Buddhist era with Thai month names)."""
    with translation.override("th"):
        html = render_to_string(
            template_name,
            {**context, "pdf_fonts_css": fonts_css(), "pdf_base_css": mark_safe(BASE_CSS)},  # noqa: S308
        )
    # One digit style per document (the town's choice) and no line break inside "หมู่ 1" or a date.
    return render_html_to_pdf(official_html(html, style=digit_style()))
