"""Helpers for One Stop Service tests: photos with GPS EXIF, filings, staff with roles."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from services.complaints import actions
from services.complaints.models import Category, Complaint
from tests.clients import SchemaKeepingClient
from tests.factories import make_user

INSIDE_A = (Decimal("12.750000"), Decimal("100.900000"))  # inside alpha's boundary
OUTSIDE_A = (Decimal("12.800000"), Decimal("100.900000"))  # inside beta, outside alpha


def jpeg_bytes(*, size=(64, 48), gps: tuple[float, float] | None = None, colour=(200, 30, 30)) -> bytes:
    image = Image.new("RGB", size, colour)
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    if gps is not None:
        lat, lon = gps

        def dms(value: float):
            value = abs(value)
            degrees = int(value)
            minutes = int((value - degrees) * 60)
            seconds = round(((value - degrees) * 60 - minutes) * 60, 4)
            return (float(degrees), float(minutes), float(seconds))

        exif.get_ifd(0x8825).update(
            {1: "N" if lat >= 0 else "S", 2: dms(lat), 3: "E" if lon >= 0 else "W", 4: dms(lon)}
        )
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def photo_upload(name="photo.jpg", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(**kwargs), content_type="image/jpeg")


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def category(in_town_a) -> Category:
    return Category.objects.get(code="road")


def make_filing(category: Category, **overrides) -> actions.Filing:
    values = {
        "category": category,
        "description": "ถนนหน้าบ้านเป็นหลุมลึก รถจักรยานยนต์ล้ม",
        "latitude": INSIDE_A[0],
        "longitude": INSIDE_A[1],
        "reporter_name": "สมชาย ใจดี",
        "reporter_phone": "081-234-5678",
        "reporter_email": "somchai@example.org",
        "consent": True,
    }
    values.update(overrides)
    return actions.Filing(**values)


def file_complaint(category: Category, **overrides) -> Complaint:
    return actions.submit_complaint(filing=make_filing(category, **overrides), ip="203.0.113.9")


@pytest.fixture
def staff(in_town_a, category):
    """The OSS cast of one town: OSS officer, department head, two officers, executive, volunteer."""
    from services.accounts.models import Department

    roads = Department.objects.create(code="works", name_th="กองช่าง")
    other = Department.objects.create(code="health", name_th="กองสาธารณสุข")
    head = make_user(
        roles=("department_head",), department=roads, email="head@example.org", phone="0811111111"
    )
    roads.head = head
    roads.save()
    category.department = roads
    category.save()
    return {
        "oss": make_user(roles=("oss_officer",)),
        "head": head,
        "officer": make_user(roles=("officer",), department=roads, email="officer@example.org"),
        "other_officer": make_user(roles=("officer",), department=roads),
        "foreign_head": make_user(roles=("department_head",), department=other),
        "executive": make_user(roles=("executive",), email="mayor@example.org"),
        "volunteer": make_user(roles=("bbuddy_volunteer",)),
        "admin": make_user(roles=("town_admin",)),
        "roads": roads,
        "health": other,
    }


@pytest.fixture
def client_a(town_a):
    return SchemaKeepingClient("alpha.localhost")


@pytest.fixture
def client_b(town_b):
    return SchemaKeepingClient("beta.localhost")
