"""Certificate PDFs: HTML templates rendered by WeasyPrint (HarfBuzz shapes Thai marks) with the
vendored Sarabun font, and a QR code pointing at the public verification page."""

from __future__ import annotations

import base64
import hashlib
import io
import tempfile
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


@lru_cache(maxsize=4)
def merged_font(weight: int) -> Path:
    """One TrueType font from the portal's Thai and Latin woff2 subsets of Sarabun.

    Two @font-face subsets of one family put two fonts in the PDF whose glyph ids collide in
    readers' ToUnicode maps, so copied text comes out garbled; merged, every glyph has one meaning.
    Built once per process into a cache file named by the sources' hash.
    """
    from fontTools.merge import Merger
    from fontTools.ttLib import TTFont

    sources = [FONT_DIR / f"sarabun-{script}-{weight}-normal.woff2" for script in ("thai", "latin")]
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in sources)).hexdigest()[:16]
    target = Path(tempfile.gettempdir()) / f"thongthin-sarabun-{weight}-{digest}.ttf"
    if target.exists():
        return target
    with tempfile.TemporaryDirectory() as work:
        plain = []
        for index, source in enumerate(sources):
            font = TTFont(source)
            font.flavor = None  # woff2 → plain sfnt, which the merger reads
            path = Path(work) / f"{index}.ttf"
            font.save(path)
            plain.append(str(path))
        merged = Merger().merge(plain)
        partial = target.with_suffix(f".{digest}.part")
        merged.save(partial)
        partial.replace(target)  # atomic: concurrent workers never read half a font
    return target


@lru_cache(maxsize=1)
def font_faces_css() -> str:
    """@font-face rules for Sarabun from the files on disk (no network, no CDN)."""
    return "\n".join(
        f'@font-face {{ font-family: "Sarabun"; font-weight: {weight}; '
        f'src: url("{merged_font(weight).as_uri()}") format("truetype"); }}'
        for weight in (400, 700)
    )


def decompose_sara_am(html: str) -> str:
    """SARA AM (ำ) as NIKHAHIT + SARA AA, which is what HarfBuzz draws: left composed, the SARA AA
    glyph would copy out as "ำ" everywhere; decomposed, the text is NFKD-equivalent and searchable."""
    return html.replace("\u0e33", "\u0e4d\u0e32")


def render_pdf(template: str, context: dict) -> bytes:
    """Render an HTML template to PDF bytes."""
    from weasyprint import HTML

    html = render_to_string(template, {**context, "font_faces_css": font_faces_css()})
    return HTML(string=decompose_sara_am(html), base_url=str(FONT_DIR)).write_pdf()
