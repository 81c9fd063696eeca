"""Is a pinned point inside the town's boundary (GeoJSON Polygon / MultiPolygon, WGS 84)?"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal


def _inside_ring(lon: float, lat: float, ring: Sequence[Sequence[float]]) -> bool:
    # Ray casting: count edges a ray to the east crosses; odd means inside.
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = float(ring[i][0]), float(ring[i][1])
        xj, yj = float(ring[j][0]), float(ring[j][1])
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def _inside_polygon(lon: float, lat: float, rings: Sequence) -> bool:
    if not rings or not _inside_ring(lon, lat, rings[0]):
        return False
    return not any(_inside_ring(lon, lat, hole) for hole in rings[1:])


def is_inside_boundary(
    boundary: dict | None, *, latitude: Decimal | float, longitude: Decimal | float
) -> bool:
    """True when the point lies inside the boundary; a town without a boundary accepts any point."""
    if not boundary:
        return True
    lon, lat = float(longitude), float(latitude)
    geometry = boundary.get("geometry", boundary) if boundary.get("type") == "Feature" else boundary
    kind = geometry.get("type")
    if kind == "Polygon":
        return _inside_polygon(lon, lat, geometry.get("coordinates") or [])
    if kind == "MultiPolygon":
        return any(_inside_polygon(lon, lat, polygon) for polygon in geometry.get("coordinates") or [])
    return False


def boundary_box(boundary: dict | None) -> tuple[float, float, float, float] | None:
    """(min_lat, min_lon, max_lat, max_lon) of the boundary, for centring the map."""
    if not boundary:
        return None
    geometry = boundary.get("geometry", boundary) if boundary.get("type") == "Feature" else boundary
    coords = geometry.get("coordinates") or []
    polygons = coords if geometry.get("type") == "MultiPolygon" else [coords]
    points = [p for polygon in polygons for ring in polygon[:1] for p in ring]
    if not points:
        return None
    lons = [float(p[0]) for p in points]
    lats = [float(p[1]) for p in points]
    return min(lats), min(lons), max(lats), max(lons)
