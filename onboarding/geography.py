"""Provinces and districts of Thailand (DOPA codes) from the packaged `geothai` dataset, and the
country outline used to reject boundaries that are not in Thailand."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import geothai
from shapely.geometry import shape
from shapely.prepared import prep

# Natural Earth 1:50m admin-0 outline of Thailand (public domain, via the world-atlas package).
OUTLINE_FILE = Path(__file__).parent / "data" / "thailand-outline.geojson"
# Coastal towns own a strip of sea and the 1:50m coastline is coarse: allow ~5.5 km around it.
COAST_TOLERANCE_DEGREES = 0.05
# Rough bounding box of the Kingdom (lon 97.3–105.7 °E, lat 5.6–20.5 °N).
BOUNDING_BOX = (97.3, 5.6, 105.7, 20.5)


@functools.cache
def province_choices() -> list[tuple[str, str]]:
    return sorted(((p.code, f"{p.name_th} ({p.name_en})") for p in geothai.provinces()), key=lambda c: c[1])


@functools.cache
def district_choices() -> list[tuple[str, str]]:
    return [
        (d.code, f"{d.name_th} ({d.name_en})") for p in geothai.provinces() for d in geothai.districts(p.code)
    ]


def districts_of(province_code: str) -> list[tuple[str, str]]:
    return [(d.code, f"{d.name_th} ({d.name_en})") for d in geothai.districts(province_code)]


def province_name(code: str) -> str:
    province = geothai.province(code)
    return province.name_th if province else ""


def district_name(code: str) -> str:
    district = geothai.district(code)
    return district.name_th if district else ""


def district_belongs_to(district_code: str, province_code: str) -> bool:
    district = geothai.district(district_code)
    return bool(district and district.province_code == province_code)


@functools.cache
def _outline():
    geometry = shape(json.loads(OUTLINE_FILE.read_text(encoding="utf-8")))
    return prep(geometry.buffer(COAST_TOLERANCE_DEGREES))


def is_in_thailand(geometry) -> bool:
    """True when the geometry lies within Thailand's land outline (plus a coastal strip)."""
    return _outline().contains(geometry)
