"""The wizard in a browser's shoes: seven steps, drafts, CSV import, review, provisioning."""

from __future__ import annotations

import io
import json

import pytest
from django.db import connection
from django.test import Client
from PIL import Image

from onboarding import pipeline
from onboarding.models import OnboardingDraft, ProvisioningJob
from tenants.models import Municipality
from tests.factories import make_user

from .conftest import square, valid_tax_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def dga(platform_client):
    connection.set_schema_to_public()
    admin = make_user(kind="platform_admin", username="dga-wizard")
    platform_client.force_login(admin)
    return platform_client


def start(dga) -> OnboardingDraft:
    response = dga.post("/onboarding/")
    assert response.status_code == 302
    return OnboardingDraft.objects.latest("created_at")


def url(draft, n):
    return f"/onboarding/{draft.public_id}/step/{n}/"


TAX_ID = valid_tax_id(88001)
IDENTITY = {
    "name_th": "เทศบาลตำบลพลูตาหลวง",
    "name_en": "Phlu Ta Luang",
    "short_code": "PTL",
    "kind": "subdistrict",
    "lao_code": "05200977",
    "province_code": "20",
    "district_code": "2009",
    "tax_id": TAX_ID,
    "address": "ตำบลพลูตาหลวง อำเภอสัตหีบ ชลบุรี 20180",
    "phone": "038-123-456",
    "email": "saraban@ptl.example.org",
}


def png(size=(200, 200)) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", size, "#1d6b3a").save(out, format="PNG")
    out.seek(0)
    out.name = "logo.png"
    return out


def test_only_dga_admins_may_use_the_wizard(platform_client):
    assert platform_client.get("/onboarding/").status_code == 302  # to sign in
    connection.set_schema_to_public()
    platform_client.force_login(make_user(kind="citizen", username="not-dga"))
    assert platform_client.get("/onboarding/").status_code == 403


def test_a_town_is_onboarded_through_all_seven_steps(dga, schema_template):
    draft = start(dga)
    assert dga.get(url(draft, 3)).status_code == 302  # steps open in order

    response = dga.post(url(draft, 1), IDENTITY)
    assert response.status_code == 302
    assert response["Location"] == url(draft, 2)
    assert dga.get(url(draft, 2)).status_code == 200
    check = dga.get("/onboarding/check-subdomain/", {"slug": "alpha"})
    assert "already taken" in check.content.decode()
    assert "is available" in dga.get("/onboarding/check-subdomain/", {"slug": "phluta"}).content.decode()
    assert dga.post(url(draft, 2), {"slug": "phluta", "custom_domain": ""}).status_code == 302

    geojson = io.BytesIO(json.dumps(square(100.95, 12.70, 0.03)).encode())
    geojson.name = "boundary.geojson"
    assert (
        dga.post(url(draft, 3), {"boundary_file": geojson, "communities": "ชุมชนหนึ่ง\nชุมชนสอง"}).status_code
        == 302
    )
    page = dga.get(url(draft, 3)).content.decode()
    assert "<svg" in page
    assert "km²" in page

    services = {
        "enabled": ["complaints", "payments", "correspondence"],
        "categories": "ถนนชำรุด | Damaged road | 2 | road\nไฟดับ | Light out | 1 | light",
        "letter_prefix": "ชบ 52107",
        "promptpay_biller_id": TAX_ID + "01",
        "payments__garbage_household_monthly": "30",
        "document_digits": "thai",
    }
    response = dga.post(url(draft, 4), services)
    assert response.status_code == 302, response.content.decode()[:3000]

    people = {
        "departments": "office | สำนักปลัด | Office\nengineering | กองช่าง | Engineering",
        "admin_first_name": "วิไล",
        "admin_last_name": "ดูแล",
        "admin_email": "wilai@ptl.example.org",
    }
    assert dga.post(url(draft, 5), {**people, "leave": "1"}).status_code == 302  # save and come back later
    draft.refresh_from_db()
    assert draft.completed_step == 5

    bad_csv = io.BytesIO(
        (
            "name,email,phone,department,role\n"
            "ก ข,bad,,office,officer\n"
            "ค ง,kd@ptl.example.org,,office,officer\n"
        ).encode("cp874")
    )
    bad_csv.name = "staff.csv"
    response = dga.post(url(draft, 5), {"action": "import_csv", "staff_csv": bad_csv})
    assert "Invalid email" in response.content.decode()
    draft.refresh_from_db()
    assert draft.data["people"]["staff"] == []  # nothing imported from an invalid file
    dga.post(url(draft, 5), {"action": "accept_valid"})
    draft.refresh_from_db()
    assert [s["email"] for s in draft.data["people"]["staff"]] == ["kd@ptl.example.org"]
    assert dga.post(url(draft, 5), people).status_code == 302

    assert (
        dga.post(
            url(draft, 6),
            {"logo": png(), "colour": "#1d6b3a", "welcome_th": "ยินดีต้อนรับ", "welcome_en": "Welcome"},
        ).status_code
        == 302
    )

    review = dga.get(url(draft, 7))
    assert review.status_code == 200
    assert "Phlu Ta Luang" in review.content.decode()
    assert "เลขไทย (๑๒๓)" in review.content.decode()
    response = dga.post(url(draft, 7))
    assert response.status_code == 302
    job = ProvisioningJob.objects.get(municipality__slug="phluta")
    assert response["Location"] == f"/onboarding/jobs/{job.public_id}/"
    assert job.status == "queued"

    job = pipeline.run_job(job.pk)  # what the Celery worker does (tested with a real worker elsewhere)
    assert job.status == "done", job.error
    progress = dga.get(f"/onboarding/jobs/{job.public_id}/").content.decode()
    assert "Seed roles and permissions" in progress
    assert "phluta.localhost" in progress
    town = Municipality.objects.get(slug="phluta")
    assert town.status == "live"
    assert town.branding["logo"]
    assert town.service_settings["complaints"]["categories"][0]["sla_days"] == 2
    assert town.service_settings["documents"] == {"digits": "thai"}  # the town's PDFs use ๑๒๓
    draft.refresh_from_db()
    assert draft.data["people"]["staff"] == []  # the people now live only in the town's schema
    assert "kd@ptl.example.org" not in str(draft.data)
    assert Client(HTTP_HOST="phluta.localhost").get("/").status_code == 200


def test_an_invalid_step_shows_errors_and_does_not_advance(dga):
    draft = start(dga)
    response = dga.post(url(draft, 1), {**IDENTITY, "tax_id": "0994000158042", "district_code": "1001"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "check digit" in body
    assert "not in the chosen province" in body
    draft.refresh_from_db()
    assert draft.completed_step == 0


def test_a_bad_boundary_is_reported_at_step_three(dga):
    draft = start(dga)
    dga.post(url(draft, 1), IDENTITY)
    dga.post(url(draft, 2), {"slug": "phluta2"})
    response = dga.post(
        url(draft, 3), {"boundary_text": json.dumps({"type": "Point", "coordinates": [100.9, 12.7]})}
    )
    assert response.status_code == 400
    assert "Polygon or MultiPolygon" in response.content.decode()


def test_a_non_image_logo_is_refused_at_step_six(dga):
    draft = start(dga)
    OnboardingDraft.objects.filter(pk=draft.pk).update(completed_step=5)
    fake = io.BytesIO(b"MZ\x90\x00 not an image")
    fake.name = "logo.png"
    response = dga.post(url(draft, 6), {"logo": fake, "colour": "#112233", "welcome_th": "x"})
    assert response.status_code == 400
    assert "not an image" in response.content.decode()


def test_drafts_of_every_admin_are_listed_for_resuming(dga):
    draft = start(dga)
    dga.post(url(draft, 1), IDENTITY)
    page = dga.get("/onboarding/").content.decode()
    assert "เทศบาลตำบลพลูตาหลวง" in page
    assert url(draft, 2) in page


def test_districts_follow_the_province(dga):
    html = dga.get("/onboarding/districts/", {"province_code": "20"}).content.decode()
    assert "สัตหีบ" in html
    assert "พระนคร" not in html
