"""Provinces and districts of Thailand (DOPA codes) from the packaged `geothai` dataset, and the
country outline used to reject boundaries that are not in Thailand."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import geothai
from shapely.geometry import shape
from shapely.prepared import prep

# Natural Earth admin-0 outlines (public domain, via the world-atlas npm package): Thailand at
# 1:10m (simplified to ~200 m), its neighbours (Myanmar, Laos, Cambodia, Malaysia, Vietnam) at 1:50m.
OUTLINE_FILE = Path(__file__).parent / "data" / "thailand-outline.geojson"
NEIGHBOURS_FILE = Path(__file__).parent / "data" / "neighbours-outline.geojson"
# Coastal towns own a strip of sea and the coastline is coarse: accept ~5.5 km around it outright.
COAST_TOLERANCE_DEGREES = 0.05
# Small islands (Ko Tao, Ko Lipe…) are missing from the outline: further out, a boundary is still
# accepted within ~45 km of Thai land when it is nearer Thai land than any neighbour's.
OFFSHORE_LIMIT_DEGREES = 0.4
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
def _land():
    return shape(json.loads(OUTLINE_FILE.read_text(encoding="utf-8")))


def land_outline():
    """Thailand's land outline (shapely geometry)."""
    return _land()


@functools.cache
def _near_coast():
    return prep(_land().buffer(COAST_TOLERANCE_DEGREES))


@functools.cache
def _neighbours():
    return shape(json.loads(NEIGHBOURS_FILE.read_text(encoding="utf-8")))


def is_in_thailand(geometry) -> bool:
    """True for a boundary on Thai land or Thai waters: within the outline (plus a coastal strip),
    or offshore near Thai land, nearer to it than to a neighbour and touching no neighbour's land."""
    if _near_coast().contains(geometry):
        return True
    to_thailand = _land().distance(geometry)
    if to_thailand > OFFSHORE_LIMIT_DEGREES or _neighbours().intersects(geometry):
        return False
    return to_thailand < _neighbours().distance(geometry)
