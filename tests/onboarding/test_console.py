"""The DGA console: towns list with filters, a town's page, suspend / reactivate / archive, dashboard."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from onboarding.models import PlatformMonthlySummary, TownMonthlyFigures, TownStatusChange
from tenants.models import Municipality
from tests.factories import make_user
from tests.onboarding.conftest import schema_template  # noqa: F401  (fixture)


@pytest.fixture
def dga(platform_client):
    connection.set_schema_to_public()
    platform_client.force_login(make_user(kind="platform_admin", username="dga-console"))
    return platform_client


@pytest.mark.django_db
def test_visitors_see_the_landing_page_but_not_the_towns(platform_client, town_a):
    body = platform_client.get("/").content.decode()
    assert "ท้องถิ่นดิจิทัล" in body
    assert town_a.primary_host not in body


@pytest.mark.django_db
def test_towns_list_filters_by_province_kind_status_and_search(dga, town_a, town_b):
    Municipality.objects.filter(pk=town_b.pk).update(status="suspended", province="ระยอง", province_code="21")
    Municipality.objects.filter(pk=town_a.pk).update(province_code="20", staff_count=12)
    body = dga.get("/", {"province": "20"}).content.decode()
    assert "เทศบาลตำบลอัลฟา" in body
    assert "เทศบาลตำบลเบตา" not in body
    assert ">12<" in body
    body = dga.get("/", {"status": "suspended"}).content.decode()
    assert "เทศบาลตำบลเบตา" in body
    assert "เทศบาลตำบลอัลฟา" not in body
    body = dga.get("/", {"q": "alph"}).content.decode()
    assert "เทศบาลตำบลอัลฟา" in body
    assert "เทศบาลตำบลเบตา" not in body
    body = dga.get("/", {"kind": "sao"}).content.decode()
    assert "เทศบาลตำบลอัลฟา" not in body


@pytest.mark.django_db
def test_suspending_needs_a_reason_is_audited_and_closes_the_portal(dga, town_a, client_a):
    response = dga.post(
        f"/onboarding/towns/{town_a.slug}/status/", {"action": "suspend", "reason": ""}, follow=True
    )
    assert "reason" in response.content.decode()
    assert Municipality.objects.get(pk=town_a.pk).status == "live"

    dga.post(
        f"/onboarding/towns/{town_a.slug}/status/", {"action": "suspend", "reason": "ค้างชำระค่าบริการ 3 เดือน"}
    )
    town = Municipality.objects.get(pk=town_a.pk)
    assert town.status == "suspended"
    assert town.status_reason == "ค้างชำระค่าบริการ 3 เดือน"
    change = TownStatusChange.objects.get(municipality=town)
    assert change.by.username == "dga-console"
    assert change.from_status == "live"
    assert client_a.get("/").status_code == 503

    dga.post(f"/onboarding/towns/{town_a.slug}/status/", {"action": "reactivate", "reason": "ชำระแล้ว"})
    assert Municipality.objects.get(pk=town_a.pk).status == "live"
    assert client_a.get("/").status_code == 200


@pytest.mark.django_db
def test_archiving_asks_for_the_subdomain_as_confirmation(dga, town_a):
    response = dga.post(
        f"/onboarding/towns/{town_a.slug}/status/",
        {"action": "archive", "reason": "ยุบรวมกับเทศบาลอื่น", "confirm_slug": "wrong"},
        follow=True,
    )
    assert "confirm" in response.content.decode()
    assert Municipality.objects.get(pk=town_a.pk).status == "live"


def test_archiving_keeps_a_pg_dump_and_removes_the_schema(schema_template, django_db_blocker):  # noqa: F811
    """pg_dump runs in its own process: the town must be committed, so this test cleans up after."""
    from onboarding.actions import archive_town, register_town
    from onboarding.pipeline import run_job
    from tests.onboarding.conftest import make_spec

    with django_db_blocker.unblock():
        town = run_job(register_town(spec=make_spec(staff=[])).pk).municipality
        dump = None
        try:
            change = archive_town(town=town, reason="ยุบรวมกับเทศบาลอื่น", by=None)
            dump = Path(settings.DATA_DIR) / "archives" / change.archive_file
            town.refresh_from_db()
            assert town.status == "archived"
            assert dump.stat().st_size > 1000
            assert len(change.archive_sha256) == 64
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [town.schema_name])
                assert cursor.fetchone() is None
            assert Client(HTTP_HOST=town.primary_host).get("/").status_code == 404
        finally:
            connection.set_schema_to_public()
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{town.schema_name}" CASCADE')
            TownStatusChange.objects.filter(municipality=town).delete()
            town.provisioning_jobs.all().delete()
            town.domains.all().delete()
            Municipality.objects.filter(pk=town.pk).delete()
            if dump:
                dump.unlink(missing_ok=True)


@pytest.mark.django_db
def test_town_staff_cannot_reach_the_console(client_a, in_town_a):
    client_a.force_login(make_user(roles=("town_admin",)))
    connection.set_schema_to_public()
    assert client_a.get("/onboarding/").status_code == 404  # not even routed on a town host


@pytest.mark.django_db
def test_the_dashboard_reads_the_summary_table(dga, town_a, django_assert_max_num_queries):
    from onboarding.summary import roll_up_platform_summary

    month = timezone.localdate().replace(day=1)
    Municipality.objects.filter(pk=town_a.pk).update(went_live_at=timezone.now())
    TownMonthlyFigures.objects.create(
        municipality=town_a,
        month=month,
        requests_filed=17,
        requests_resolved=10,
        median_resolution_hours=20.5,
        money_collected=Decimal("1250.50"),
        figures={"common": {"sms_sent": 41, "sms_failed": 2, "sms_parts": 57, "sms_cost": "19.95",
                            "line_sent": 12, "email_sent": 3, "sms_expired": 4, "line_expired": 1}},
    )
    roll_up_platform_summary(months=3)
    row = PlatformMonthlySummary.objects.get(month=month)
    assert (row.requests_filed, row.money_collected, row.median_resolution_hours) == (
        17,
        Decimal("1250.50"),
        20.5,
    )
    assert row.towns_went_live >= 1
    # A fixed number of reads of the summary tables, whatever the number of towns.
    with django_assert_max_num_queries(16):
        body = dga.get("/onboarding/dashboard/").content.decode()
    assert "1,250.50" in body
    assert "<svg" in body
    # The towns' messages to citizens, summed in the month's row: SMS sent/failed · parts · baht · LINE ·
    # e-mail · expired unsent (all channels).
    assert "41/2 · 57 · 19.95 · 12 · 3 · 5" in body


@pytest.mark.django_db
def test_a_towns_page_shows_its_registry_data_and_history(dga, town_a):
    dga.post(f"/onboarding/towns/{town_a.slug}/status/", {"action": "suspend", "reason": "ตรวจสอบระบบ"})
    body = dga.get(f"/onboarding/towns/{town_a.slug}/").content.decode()
    assert town_a.lao_code in body
    assert "alpha.localhost" in body
    assert "ตรวจสอบระบบ" in body
    assert dga.get("/onboarding/towns/no-such-town/").status_code == 404


@pytest.mark.django_db
def test_an_empty_dashboard_says_so(dga):
    body = dga.get("/onboarding/dashboard/").content.decode()
    assert "No summary yet" in body


@pytest.mark.django_db
def test_a_town_registered_by_the_api_can_be_provisioned_from_its_page(dga):
    from onboarding.actions import register_town
    from tests.onboarding.conftest import make_spec

    job = register_town(spec=make_spec())
    page = dga.get(f"/onboarding/towns/{job.municipality.slug}/").content.decode()
    assert f"/onboarding/jobs/{job.public_id}/resume/" in page
    response = dga.post(f"/onboarding/jobs/{job.public_id}/resume/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "queued"
