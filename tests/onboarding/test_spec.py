"""Bad input is refused with a clear message at the field where it was entered; nothing is written."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from onboarding.actions import register_town
from onboarding.models import ProvisioningJob
from onboarding.spec import SpecInvalid, validate_town_spec
from tenants.models import Domain, Municipality

from .conftest import make_spec, square

pytestmark = pytest.mark.django_db


def errors_for(spec: dict) -> dict[str, list[str]]:
    with pytest.raises(SpecInvalid) as caught:
        validate_town_spec(spec)
    return caught.value.errors


def test_a_valid_spec_is_cleaned():
    spec = make_spec(slug="Bang-Sare-Test")
    spec["tax_id"] = "-".join(
        [
            spec["tax_id"][0],
            spec["tax_id"][1:5],
            spec["tax_id"][5:10],
            spec["tax_id"][10:12],
            spec["tax_id"][12],
        ]
    )
    clean = validate_town_spec(spec)
    assert clean["slug"] == "bang-sare-test"
    assert len(clean["tax_id"]) == 13
    assert clean["province"] == "ชลบุรี"
    assert clean["district"] == "สัตหีบ"
    assert 4.0 < clean["area_km2"] < 5.0  # 0.02° × 0.02° at 12.7 °N ≈ 4.8 km²
    assert clean["admin"]["username"] == clean["admin"]["email"]


def test_duplicates_of_a_registered_town_are_refused(town_a):
    errors = errors_for(make_spec(slug="alpha", lao_code="05200901", tax_id=town_a.tax_id, short_code="ALP"))
    assert "already taken" in " ".join(errors["slug"])
    assert "already registered" in " ".join(errors["tax_id"])
    assert "short_code" in errors


def test_a_duplicate_lao_code_is_refused(schema_template):
    first = make_spec()
    register_town(spec=first)
    errors = errors_for(make_spec(lao_code=first["lao_code"]))
    assert "LAO code is already registered" in " ".join(errors["lao_code"])


@pytest.mark.parametrize(
    ("tax_id", "message"),
    [
        ("0994000158042", "check digit"),
        ("12345", "13 digits"),
    ],
)
def test_a_bad_tax_id_is_refused(tax_id, message):
    assert message in " ".join(errors_for(make_spec(tax_id=tax_id))["tax_id"])


@pytest.mark.parametrize("slug", ["www", "api", "admin", "ab", "bang_sare", "บางเสร่", "-bad", "x" * 31])
def test_bad_or_reserved_subdomains_are_refused(slug):
    assert "slug" in errors_for(make_spec(slug=slug))


def test_district_must_be_in_the_province_and_match_the_lao_code():
    errors = errors_for(make_spec(district_code="1001"))  # Phra Nakhon is in Bangkok
    assert "not in the chosen province" in " ".join(errors["district_code"])
    errors = errors_for(make_spec(lao_code="05100901"))
    assert "province code 20" in " ".join(errors["lao_code"])


@pytest.mark.parametrize(
    ("boundary", "message"),
    [
        ({"type": "Point", "coordinates": [100.9, 12.75]}, "Polygon or MultiPolygon"),
        ({"type": "LineString", "coordinates": [[100.9, 12.75], [100.91, 12.76]]}, "Polygon or MultiPolygon"),
        # A bow-tie: the ring crosses itself.
        (
            {
                "type": "Polygon",
                "coordinates": [
                    [[100.88, 12.73], [100.92, 12.77], [100.92, 12.73], [100.88, 12.77], [100.88, 12.73]]
                ],
            },
            "self-intersecting",
        ),
        # In the sea off Koh Kong, Cambodia: inside Thailand's bounding box but not Thai territory.
        (square(lon=102.9, lat=11.4, size=0.05), "not on Thai territory"),
        # Latitude and longitude swapped.
        (square(lon=12.74, lat=100.89), "outside Thailand"),
        ("{not json", "Not readable GeoJSON"),
        ({"type": "FeatureCollection", "features": []}, "exactly one boundary"),
    ],
)
def test_bad_boundaries_are_refused(boundary, message):
    assert message in " ".join(errors_for(make_spec(boundary=boundary))["boundary"])


@pytest.mark.parametrize(
    "boundary",
    [
        square(lon=99.81, lat=10.06, size=0.05),  # Ko Tao: an island too small for the outline
        square(lon=101.43, lat=12.55, size=0.04),  # Ko Samet
        square(lon=100.45, lat=13.7, size=0.1),  # Bangkok
    ],
)
def test_island_and_inland_towns_are_accepted(boundary):
    assert validate_town_spec(make_spec(boundary=boundary))["area_km2"] > 1


def test_a_town_straddling_the_border_is_refused():
    # Aranyaprathet / Poipet: half in Cambodia.
    errors = errors_for(make_spec(boundary=square(lon=102.45, lat=13.6, size=0.2)))
    assert "not on Thai territory" in " ".join(errors["boundary"])


def test_a_feature_collection_with_one_polygon_is_accepted():
    spec = make_spec(
        boundary={
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": {}, "geometry": square()}],
        }
    )
    assert validate_town_spec(spec)["boundary"]["type"] == "Polygon"


def test_fees_above_the_legal_cap_are_refused():
    spec = make_spec()
    spec["services"]["building_permits"]["permit_fee"] = "250.00"
    spec["services"]["payments"]["promptpay_biller_id"] = "123"
    errors = errors_for(spec)
    assert "legal cap of 200.00 baht" in " ".join(errors["services.building_permits.permit_fee"])
    assert "15 digits" in " ".join(errors["services.payments.promptpay_biller_id"])


def test_staff_with_unknown_roles_departments_or_duplicate_emails_are_reported_by_row():
    spec = make_spec(
        staff=[
            {"name": "ก ข", "email": "same@example.org", "department": "office", "role": "mayor"},
            {"name": "ค ง", "email": "same@example.org", "department": "nowhere", "role": "officer"},
        ]
    )
    errors = errors_for(spec)
    assert "Unknown role" in " ".join(errors["staff.1"])
    assert "Duplicate email" in " ".join(errors["staff.2"])
    assert "Unknown department" in " ".join(errors["staff.2"])


def _image_b64(size=(300, 200), fmt="PNG") -> str:
    out = io.BytesIO()
    Image.new("RGB", size, "#0b5394").save(out, format=fmt)
    return base64.b64encode(out.getvalue()).decode()


def test_logos_are_checked_and_resized():
    spec = make_spec(
        branding={"colour": "#123456", "welcome_th": "สวัสดี", "logo_png_b64": _image_b64((2000, 1000), "JPEG")}
    )
    logo = base64.b64decode(validate_town_spec(spec)["branding"]["logo_png_b64"])
    with Image.open(io.BytesIO(logo)) as image:
        assert image.format == "PNG"
        assert image.size == (512, 256)
    not_image = base64.b64encode(b"%PDF-1.4 not an image").decode()
    errors = errors_for(
        make_spec(branding={"colour": "#123456", "welcome_th": "x", "logo_png_b64": not_image})
    )
    assert "not an image" in " ".join(errors["branding.logo"])
    huge = base64.b64encode(b"\x89PNG" + b"0" * (3 * 1024 * 1024)).decode()
    errors = errors_for(make_spec(branding={"colour": "#123456", "welcome_th": "x", "logo_png_b64": huge}))
    assert "larger than 2 MB" in " ".join(errors["branding.logo"])


def test_a_refused_town_leaves_nothing_in_the_database():
    towns, domains, jobs = (
        Municipality.objects.count(),
        Domain.objects.count(),
        ProvisioningJob.objects.count(),
    )
    with pytest.raises(SpecInvalid):
        register_town(spec=make_spec(boundary={"type": "Point", "coordinates": [100.9, 12.75]}))
    assert (Municipality.objects.count(), Domain.objects.count(), ProvisioningJob.objects.count()) == (
        towns,
        domains,
        jobs,
    )


def test_the_towns_document_digits_are_thai_or_arabic_and_reach_its_documents():
    from types import SimpleNamespace

    from services.common.document_text import digit_style

    spec = make_spec()
    assert validate_town_spec(spec)["services"]["documents"] == {"digits": "arabic"}  # the default
    spec["services"]["documents"] = {"digits": "thai"}
    clean = validate_town_spec(spec)
    assert digit_style(SimpleNamespace(service_settings=clean["services"])) == "thai"
    spec["services"]["documents"] = {"digits": "roman"}
    assert "'thai' or 'arabic'" in " ".join(errors_for(spec)["services.documents.digits"])
    spec["services"]["documents"] = "thai"  # not an object
    assert "services.documents.digits" in errors_for(spec)
