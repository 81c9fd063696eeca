"""Photo intake: accept JPEG/PNG/HEIC/WebP up to 10 MB, refuse decompression bombs, read the GPS
position (a suggested pin) and the moment it was taken (proof of resolution), then re-encode to a
clean JPEG with no metadata at all.

Re-encoding (rather than copying the upload) drops EXIF location, camera serials and anything
smuggled after the image data; the stored file is the pixels only.
"""

from __future__ import annotations

import datetime as dt
import io
import warnings
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

try:  # HEIC/HEIF from iPhones
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIF_SUPPORTED = True
except ImportError:  # pragma: no cover - the dependency is declared; this keeps dev machines working
    HEIF_SUPPORTED = False

MAX_PHOTOS = 5
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# 40 megapixels: more than any phone camera; larger claims are refused before decoding.
MAX_PIXELS = 40_000_000
MAX_EDGE = 2048
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "HEIF", "HEIC", "MPO"}
GPS_IFD = 0x8825
EXIF_IFD = 0x8769
DATETIME_ORIGINAL, DATETIME_DIGITIZED, OFFSET_TIME_ORIGINAL = 0x9003, 0x9004, 0x9011
# A camera's clock has no zone unless OffsetTimeOriginal says so; phones keep local (Thai) time.
CAMERA_ZONE = dt.timezone(dt.timedelta(hours=7))


@dataclass(frozen=True)
class CleanPhoto:
    upload: SimpleUploadedFile
    width: int
    height: int
    latitude: Decimal | None
    longitude: Decimal | None
    taken_at: dt.datetime | None = None


def _invalid(message, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _ratio(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        numerator, denominator = value
        return float(numerator) / float(denominator)


def _gps_position(image: Image.Image) -> tuple[Decimal | None, Decimal | None]:
    """Degrees from the EXIF GPS block, or (None, None) when absent or malformed."""
    try:
        gps = image.getexif().get_ifd(GPS_IFD)
        if not gps or 2 not in gps or 4 not in gps:
            return None, None
        lat = sum(_ratio(part) / 60**i for i, part in enumerate(gps[2]))
        lon = sum(_ratio(part) / 60**i for i, part in enumerate(gps[4]))
        if str(gps.get(1, "N")).upper().startswith("S"):
            lat = -lat
        if str(gps.get(3, "E")).upper().startswith("W"):
            lon = -lon
    except Exception:
        return None, None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None
    return Decimal(f"{lat:.6f}"), Decimal(f"{lon:.6f}")


def _offset(value) -> dt.tzinfo | None:
    """EXIF OffsetTimeOriginal ("+07:00") as a zone, or None when absent or malformed."""
    try:
        return dt.datetime.strptime(str(value or "").strip(), "%z").tzinfo
    except ValueError:
        return None


def _taken_at(image: Image.Image) -> dt.datetime | None:
    """EXIF DateTimeOriginal (else DateTimeDigitized) as an aware datetime, or None when absent or
    malformed. The zone comes from OffsetTimeOriginal when present, else Thai time."""
    try:
        exif = image.getexif().get_ifd(EXIF_IFD)
        raw = exif.get(DATETIME_ORIGINAL) or exif.get(DATETIME_DIGITIZED)
        if not raw:
            return None
        text = (raw.decode("ascii", "replace") if isinstance(raw, bytes) else str(raw)).strip("\x00 ")
        zone = _offset(exif.get(OFFSET_TIME_ORIGINAL)) or CAMERA_ZONE
        return dt.datetime.strptime(text[:19], "%Y:%m:%d %H:%M:%S").replace(tzinfo=zone)
    except Exception:
        return None


def clean_photo(upload: UploadedFile) -> CleanPhoto:
    """Validate and re-encode one uploaded photo; raises ValidationError with a bilingual message."""
    if upload.size is None or upload.size > MAX_UPLOAD_BYTES:
        raise _invalid(_("รูปภาพต้องมีขนาดไม่เกิน 10 MB (Each photo must be 10 MB or less)"), "file_too_large")
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow only warns between 89 and 179 Mpx; treat that as the refusal it should be.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(upload)
        with probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise _invalid(
                    _("รับเฉพาะรูป JPEG, PNG, HEIC หรือ WebP (Only JPEG, PNG, HEIC or WebP photos)"), "file_type"
                )
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise _invalid(
                    _("รูปภาพมีขนาดพิกเซลใหญ่เกินไป (Image dimensions are too large)"), "image_too_large"
                )
            latitude, longitude = _gps_position(probe)
            taken_at = _taken_at(probe)
            probe.load()
            image = ImageOps.exif_transpose(probe)
            image = image.convert("RGB")
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _invalid(
            _("รูปภาพมีขนาดพิกเซลใหญ่เกินไป (Image dimensions are too large)"), "image_too_large"
        ) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise _invalid(_("ไฟล์นี้ไม่ใช่รูปภาพที่อ่านได้ (This file is not a readable image)"), "not_an_image") from exc
    image.thumbnail((MAX_EDGE, MAX_EDGE))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85, optimize=True)  # no exif= argument: metadata is dropped
    name = (upload.name or "photo").rsplit(".", 1)[0][:80] + ".jpg"
    return CleanPhoto(
        upload=SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg"),
        width=image.width,
        height=image.height,
        latitude=latitude,
        longitude=longitude,
        taken_at=taken_at,
    )


def clean_photos(uploads: list[UploadedFile]) -> list[CleanPhoto]:
    if len(uploads) > MAX_PHOTOS:
        raise _invalid(_("แนบรูปได้ไม่เกิน 5 รูป (At most 5 photos)"), "too_many_files")
    return [clean_photo(upload) for upload in uploads]
