"""Certificate PDFs: HTML templates rendered by WeasyPrint (HarfBuzz shapes Thai marks) with the
vendored Sarabun font, and a QR code pointing at the public verification page."""

from __future__ import annotations

import base64
import io
from functools import lru_cache
from pathlib import Path

import qrcode
from django.conf import settings
from django.template.loader import render_to_string

FONT_DIR = Path(settings.BASE_DIR) / "platform" / "static" / "fonts" / "sarabun"


def qr_png(data: str, *, box_size: int = 8) -> bytes:
    """A QR code (error correction M) as PNG bytes."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=2)
    code.add_data(data)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()


def qr_data_uri(data: str) -> str:
    return "data:image/png;base64," + base64.b64encode(qr_png(data)).decode("ascii")


@lru_cache(maxsize=1)
def font_faces_css() -> str:
    """@font-face rules for Sarabun from the files on disk (no network, no CDN)."""
    ranges = {"thai": "U+0E01-0E5B, U+200C-200D, U+25CC",
              "latin": "U+0000-00FF, U+0131, U+0152-0153, U+02C6, U+02DA, U+02DC, U+2000-206F, U+20AC, U+2122"}
    rules = []
    for weight in (400, 700):
        for script, unicode_range in ranges.items():
            path = FONT_DIR / f"sarabun-{script}-{weight}-normal.woff2"
            rules.append(
                f'@font-face {{ font-family: "Sarabun"; font-weight: {weight}; '
                f'src: url("{path.as_uri()}") format("woff2"); unicode-range: {unicode_range}; }}'
            )
    return "\n".join(rules)


def render_pdf(template: str, context: dict) -> bytes:
    """Render an HTML template to PDF bytes."""
    from weasyprint import HTML

    html = render_to_string(template, {**context, "font_faces_css": font_faces_css()})
    return HTML(string=html, base_url=str(FONT_DIR)).write_pdf()
