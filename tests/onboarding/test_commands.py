"""provision_town (YAML/JSON roll-outs) and seed_demo, which provisions the demo through it."""

from __future__ import annotations

import io
import json

import pytest
import yaml
from django.core.management import CommandError, call_command
from django_tenants.utils import schema_context
from PIL import Image

from onboarding import demo
from services.accounts.models import User
from tenants.models import Municipality

from .conftest import make_spec

pytestmark = pytest.mark.django_db


def test_a_yaml_roll_out_provisions_every_town_with_its_logo(tmp_path, schema_template):
    Image.new("RGB", (300, 300), "#aa0000").save(tmp_path / "logo.png")
    first, second = make_spec(), make_spec()
    first["branding"] = {**first["branding"], "logo": "logo.png"}
    path = tmp_path / "towns.yaml"
    path.write_text(yaml.safe_dump({"towns": [first, second]}, allow_unicode=True), encoding="utf-8")
    out = io.StringIO()
    call_command("provision_town", str(path), stdout=out)
    assert out.getvalue().count("live at") == 2
    towns = Municipality.objects.filter(slug__in=[first["slug"], second["slug"]])
    assert {t.status for t in towns} == {"live"}
    assert towns.get(slug=first["slug"]).branding["logo"]

    again = io.StringIO()
    call_command("provision_town", str(path), stdout=again)  # re-running a roll-out is harmless
    assert again.getvalue().count("already live") == 2


def test_a_file_with_any_bad_town_provisions_nothing(tmp_path):
    good, bad = make_spec(), make_spec(tax_id="0994000158042")
    twin = make_spec(slug=good["slug"])
    path = tmp_path / "towns.json"
    path.write_text(json.dumps([good, bad, twin], ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("provision_town", str(path))
    message = str(caught.value)
    assert "#2" in message
    assert "tax_id" in message
    assert "appears twice" in message
    assert not Municipality.objects.filter(slug=good["slug"]).exists()


def test_dry_run_only_validates(tmp_path):
    path = tmp_path / "town.json"
    path.write_text(json.dumps(make_spec(), ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("provision_town", str(path), "--dry-run", stdout=out)
    assert "1 new town(s) valid" in out.getvalue()
    assert Municipality.objects.count() == 2  # only the session's two towns


def test_seed_demo_provisions_the_demo_once_and_keeps_the_logins(schema_template):
    call_command("seed_demo", history_months=0, stdout=io.StringIO())
    out = io.StringIO()
    call_command("seed_demo", history_months=0, stdout=out)
    assert "nothing changed" in out.getvalue()
    bang_sare = Municipality.objects.get(slug="bangsare")
    assert bang_sare.status == "live"
    assert bang_sare.provisioning_jobs.get().method in ("pool", "template")
    assert User.objects.get(username=demo.DGA_ADMIN["username"]).check_password(demo.DEMO_PASSWORD)
    with schema_context(bang_sare.schema_name):
        admin = User.objects.get(username="bsr-admin")
        assert admin.check_password(demo.DEMO_PASSWORD)
        assert admin.has_role("town_admin")
        assert User.objects.get(username="bsr-engineer").has_role("building_engineer")
        assert User.objects.filter(username="bsr-citizen", kind="citizen").exists()
        # The public board is on with sample cases, and the referral directory is filled.
        from services.complaints.models import Complaint, OssSettings, ReferralAgency

        assert OssSettings.current().public_board_enabled
        assert Complaint.objects.filter(category__on_public_board=True).count() == len(demo.SAMPLE_COMPLAINTS)
        assert ReferralAgency.objects.count() == len(demo.REFERRAL_AGENCIES)


def test_the_example_roll_out_file_is_valid():
    from pathlib import Path

    import onboarding

    example = Path(onboarding.__file__).parent / "examples" / "towns.example.yaml"
    out = io.StringIO()
    call_command("provision_town", str(example), "--dry-run", stdout=out)
    assert "1 new town(s) valid" in out.getvalue()
