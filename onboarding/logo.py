"""Town logos: the upload must really be an image; it is resized to fit 512×512 and stored as PNG."""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_SIDE = 512
MIN_SIDE = 64
ACCEPTED_FORMATS = {"PNG", "JPEG", "WEBP", "GIF"}
# Refuse decompression bombs long before Pillow's own (much larger) limit.
MAX_PIXELS = 40_000_000


def process_logo(raw: bytes) -> bytes:
    """Validate an uploaded logo and return it as a PNG no larger than MAX_SIDE on either side."""
    if len(raw) > MAX_UPLOAD_BYTES:
        raise ValidationError("โลโก้ใหญ่เกิน 2 MB (The logo is larger than 2 MB)", code="logo_too_large")
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            kind = probe.format
            width, height = probe.size
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            "ไฟล์โลโก้ไม่ใช่รูปภาพ (PNG, JPEG, WebP หรือ GIF) (The logo is not an image: PNG, JPEG, WebP or GIF)",
            code="logo_not_image",
        ) from exc
    if kind not in ACCEPTED_FORMATS:
        raise ValidationError(f"ไม่รับรูปภาพชนิด {kind} (Image type {kind} is not accepted)", code="logo_format")
    if width * height > MAX_PIXELS:
        raise ValidationError("รูปภาพมีขนาดพิกเซลใหญ่เกินไป (The image has too many pixels)", code="logo_pixels")
    if min(width, height) < MIN_SIDE:
        raise ValidationError(
            f"โลโก้เล็กเกินไป ต้องกว้างและสูงอย่างน้อย {MIN_SIDE} พิกเซล (The logo must be at least {MIN_SIDE} px)",
            code="logo_too_small",
        )
    with Image.open(io.BytesIO(raw)) as image:
        image.seek(0)
        image = image.convert("RGBA")
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=True)
    return out.getvalue()
