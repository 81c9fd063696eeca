"""Which live town covers a point? A public index of town boundaries (names and polygons only).

`sync_boundary(town)` keeps the index row of a town in step with its Municipality (called on every
save); `towns_containing(lat, lon)` prefilters by bounding box in SQL, then checks the polygon with
shapely, so thousands of towns cost one indexed query and a handful of polygon tests.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from shapely.geometry import Point, shape
from shapely.prepared import prep

from .models import Municipality, MunicipalityStatus, TownBoundary


@dataclass(frozen=True)
class TownAtPoint:
    slug: str
    name_th: str
    name_en: str
    host: str


def _bounds(boundary: dict) -> tuple[float, float, float, float] | None:
    """(min_lon, min_lat, max_lon, max_lat) of a GeoJSON geometry, or None if it is not one."""
    try:
        geometry = shape(boundary)
    except (TypeError, ValueError, KeyError, AttributeError, IndexError):
        return None
    if geometry.is_empty:
        return None
    return geometry.bounds


def sync_boundary(town: Municipality) -> TownBoundary | None:
    """Write (or remove) the index row of one town from its current boundary, names and status."""
    bounds = _bounds(town.boundary) if town.boundary else None
    if bounds is None:
        TownBoundary.objects.filter(town_id=town.pk).delete()
        return None
    min_lon, min_lat, max_lon, max_lat = bounds
    row, _created = TownBoundary.objects.update_or_create(
        town_id=town.pk,
        defaults={
            "slug": town.slug,
            "name_th": town.name_th,
            "name_en": town.name_en,
            "is_live": town.status == MunicipalityStatus.LIVE,
            "min_lat": min_lat,
            "max_lat": max_lat,
            "min_lon": min_lon,
            "max_lon": max_lon,
            "geojson": town.boundary,
        },
    )
    return row


def towns_containing(latitude: Decimal | float, longitude: Decimal | float) -> list[TownAtPoint]:
    """Live towns whose boundary covers the point (edge included), by Thai name."""
    from django.conf import settings

    lat, lon = float(latitude), float(longitude)
    candidates = TownBoundary.objects.filter(
        is_live=True, min_lat__lte=lat, max_lat__gte=lat, min_lon__lte=lon, max_lon__gte=lon
    ).order_by("name_th")
    found = []
    for row in candidates:
        if covers(row.geojson, lat, lon):
            found.append(
                TownAtPoint(
                    slug=row.slug,
                    name_th=row.name_th,
                    name_en=row.name_en,
                    host=f"{row.slug}.{settings.PLATFORM_DOMAIN}",
                )
            )
    return found


def covers(boundary: dict, latitude: Decimal | float, longitude: Decimal | float) -> bool:
    """True when the GeoJSON boundary (lon/lat order) covers the point, edge included. Prepared
    shapes are cached per boundary, so a town's polygon is parsed once per process."""
    return _prepared(json.dumps(boundary, sort_keys=True)).covers(Point(float(longitude), float(latitude)))


@lru_cache(maxsize=512)
def _prepared(boundary_json: str):
    return prep(shape(json.loads(boundary_json)))


__all__ = ["TownAtPoint", "covers", "sync_boundary", "towns_containing"]
