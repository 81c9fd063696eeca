"""A town's boundary: GeoJSON Polygon/MultiPolygon checked with shapely (valid, in Thailand)."""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from shapely.geometry import mapping, shape
from shapely.ops import transform
from shapely.validation import explain_validity

from . import geography

EARTH_RADIUS_KM = 6371.0088
# Largest Thai local government area is a few thousand km² (Bangkok: 1,569 km²); beyond this the
# file is almost certainly the wrong one (a province, a country).
MAX_AREA_KM2 = 5000.0
MAX_BYTES = 2 * 1024 * 1024
# A Thai municipality's surveyed boundary has a few thousand vertices; shapely's validity check
# grows with the count, so a six-figure polygon is refused before it is parsed.
MAX_VERTICES = 50_000


@dataclass(frozen=True)
class Boundary:
    geojson: dict
    area_km2: float
    bounds: tuple[float, float, float, float]


def _error(th: str, en: str, code: str) -> ValidationError:
    return ValidationError(f"{th} ({en})", code=code)


def area_km2(geometry) -> float:
    """Area on the sphere via the sinusoidal (equal-area) projection centred on the geometry."""
    lon0 = geometry.centroid.x

    def project(lon, lat, z=None):
        phi = [math.radians(v) for v in (lat if hasattr(lat, "__iter__") else [lat])]
        lam = [math.radians(v - lon0) for v in (lon if hasattr(lon, "__iter__") else [lon])]
        xs = [EARTH_RADIUS_KM * la * math.cos(ph) for la, ph in zip(lam, phi, strict=True)]
        ys = [EARTH_RADIUS_KM * ph for ph in phi]
        return (xs, ys) if hasattr(lon, "__iter__") else (xs[0], ys[0])

    return transform(project, geometry).area


def _unwrap(data: dict) -> dict:
    """Accept a bare geometry, a Feature, or a FeatureCollection with exactly one feature."""
    kind = data.get("type")
    if kind == "FeatureCollection":
        features = data.get("features") or []
        if len(features) != 1:
            raise _error(
                "ไฟล์ต้องมีขอบเขตเพียงรูปเดียว", "The file must hold exactly one boundary", "boundary_count"
            )
        data = features[0]
        kind = data.get("type")
    if kind == "Feature":
        data = data.get("geometry") or {}
    return data


def _vertex_count(coordinates) -> int:
    """Positions in a Polygon/MultiPolygon's nested coordinate lists (anything else counts as none)."""
    count, stack = 0, [coordinates]
    while stack and count <= MAX_VERTICES:
        item = stack.pop()
        if isinstance(item, list | tuple):
            if item and all(isinstance(v, int | float) for v in item):
                count += 1
            else:
                stack.extend(item)
    return count


def parse_boundary(raw: str | bytes | dict) -> Boundary:
    """Validate a GeoJSON boundary; returns the geometry, its area in km² and its bounds."""
    if isinstance(raw, bytes):
        if len(raw) > MAX_BYTES:
            raise _error(
                "ไฟล์ขอบเขตใหญ่เกิน 2 MB", "The boundary file is larger than 2 MB", "boundary_too_large"
            )
        try:
            raw = raw.decode("utf-8-sig", errors="strict")
        except UnicodeDecodeError as exc:
            raise _error(
                "ไฟล์ขอบเขตไม่ใช่ข้อความ UTF-8", "The boundary file is not UTF-8 text", "boundary_json"
            ) from exc
    # The API hands the document already parsed: measure it the same way.
    if isinstance(raw, dict) and len(json.dumps(raw, separators=(",", ":"))) > MAX_BYTES:
        raise _error("ไฟล์ขอบเขตใหญ่เกิน 2 MB", "The boundary file is larger than 2 MB", "boundary_too_large")
    if isinstance(raw, str):
        if len(raw.encode("utf-8")) > MAX_BYTES:
            raise _error(
                "ไฟล์ขอบเขตใหญ่เกิน 2 MB", "The boundary file is larger than 2 MB", "boundary_too_large"
            )
        try:
            raw = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise _error("ไม่ใช่ไฟล์ GeoJSON ที่อ่านได้", "Not readable GeoJSON", "boundary_json") from exc
    if not isinstance(raw, dict):
        raise _error("ไม่ใช่ไฟล์ GeoJSON ที่อ่านได้", "Not readable GeoJSON", "boundary_json")
    data = _unwrap(raw)
    if data.get("type") not in ("Polygon", "MultiPolygon"):
        raise _error(
            "ขอบเขตต้องเป็นรูปหลายเหลี่ยม (Polygon หรือ MultiPolygon) ได้รับ: %s" % (data.get("type") or "-"),
            "The boundary must be a Polygon or MultiPolygon",
            "boundary_type",
        )
    if _vertex_count(data.get("coordinates")) > MAX_VERTICES:
        raise _error(
            f"ขอบเขตมีจุดมากเกิน {MAX_VERTICES:,} จุด (ลดรายละเอียดก่อนนำเข้า)",
            f"The boundary has more than {MAX_VERTICES:,} vertices (simplify it first)",
            "boundary_too_many_vertices",
        )
    try:
        geometry = shape(data)
    except (ValueError, TypeError, AttributeError, IndexError) as exc:
        raise _error(
            "พิกัดของขอบเขตไม่ถูกต้อง", "The boundary's coordinates are malformed", "boundary_coordinates"
        ) from exc
    if geometry.is_empty:
        raise _error("ขอบเขตว่างเปล่า", "The boundary is empty", "boundary_empty")
    if not geometry.is_valid:
        raise _error(
            f"ขอบเขตไม่ถูกต้อง (เส้นตัดกันเองหรือรูปซ้อนทับ): {explain_validity(geometry)}",
            "The boundary is invalid (self-intersecting or overlapping rings)",
            "boundary_invalid",
        )
    west, south, east, north = geometry.bounds
    box_w, box_s, box_e, box_n = geography.BOUNDING_BOX
    if west < box_w or east > box_e or south < box_s or north > box_n:
        raise _error(
            "ขอบเขตอยู่นอกประเทศไทย (ตรวจลำดับพิกัด: ลองจิจูดก่อน ละติจูดทีหลัง)",
            "The boundary is outside Thailand (check the order: longitude first, then latitude)",
            "boundary_outside_thailand",
        )
    if not geography.is_in_thailand(geometry):
        raise _error(
            "ขอบเขตไม่อยู่บนแผ่นดินไทย (อยู่ในทะเลหรือในประเทศเพื่อนบ้าน)",
            "The boundary is not on Thai territory (it lies in the sea or in a neighbouring country)",
            "boundary_outside_thailand",
        )
    area = area_km2(geometry)
    if area > MAX_AREA_KM2:
        raise _error(
            f"พื้นที่ {area:.0f} ตร.กม. ใหญ่เกินกว่าจะเป็นเขต อปท. หนึ่งแห่ง",
            f"An area of {area:.0f} km² is too large for one local government",
            "boundary_too_large_area",
        )
    return Boundary(geojson=mapping(geometry) | {}, area_km2=round(area, 3), bounds=geometry.bounds)


def as_plain_geojson(boundary: Boundary) -> dict:
    """JSON-serialisable GeoJSON (shapely's mapping uses tuples)."""
    return json.loads(json.dumps(boundary.geojson))


def svg_preview(geojson: dict, *, width: int = 320, height: int = 240) -> dict:
    """Path data to draw the boundary in an SVG box (north up, aspect kept, lon scaled by cos(lat))."""
    geometry = shape(geojson)
    west, south, east, north = geometry.bounds
    k = math.cos(math.radians((south + north) / 2))
    span_x = max((east - west) * k, 1e-9)
    span_y = max(north - south, 1e-9)
    scale = min((width - 20) / span_x, (height - 20) / span_y)
    polygons = [geometry] if geometry.geom_type == "Polygon" else list(geometry.geoms)
    parts = []
    for polygon in polygons:
        for ring in [polygon.exterior, *polygon.interiors]:
            points = [(10 + (x - west) * k * scale, 10 + (north - y) * scale) for x, y in ring.coords]
            parts.append("M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in points) + " Z")
    return {"path": " ".join(parts), "width": width, "height": height}


def _frame(width: int, height: int):
    west, south, east, north = geography.BOUNDING_BOX
    scale = min(width / (east - west), height / (north - south))

    def point(x: float, y: float) -> tuple[float, float]:
        return (x - west) * scale, (north - y) * scale

    return point


@functools.cache
def country_locator_path(width: int = 120, height: int = 210) -> str:
    """Thailand's outline as SVG path data in a small fixed frame (for the locator map)."""
    point = _frame(width, height)
    land = geography.land_outline().simplify(0.05)
    polygons = [land] if land.geom_type == "Polygon" else list(land.geoms)
    parts = []
    for polygon in polygons:
        coords = [point(x, y) for x, y in polygon.exterior.coords]
        parts.append("M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in coords) + " Z")
    return " ".join(parts)


def locator(geojson: dict, *, width: int = 120, height: int = 210) -> dict:
    """Where the boundary sits in Thailand: the country outline and a marker at its centroid."""
    centre = shape(geojson).centroid
    x, y = _frame(width, height)(centre.x, centre.y)
    return {
        "path": country_locator_path(width, height),
        "x": round(x, 1),
        "y": round(y, 1),
        "width": width,
        "height": height,
    }
