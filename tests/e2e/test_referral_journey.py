"""Issue #9 in headless Chromium, as a resident and an OSS officer would do it: a pin across the
border is offered the neighbouring town with the pin carried over; a case referred to the
neighbour is delivered there (Celery eager in the server process) and the resident's tracking page
follows it; the neighbour's copy declines back. The server is a real process on the test database."""

from __future__ import annotations

import re

import pytest

from .test_oss_browser import _staff_page, browser, server  # noqa: F401 - fixtures

pytestmark = [pytest.mark.e2e]


@pytest.fixture
def cast(django_db_setup, django_db_blocker):
    """Committed staff of towns alpha and beta; every row the journey writes is removed after."""
    from django.db import connection

    from services.common.models import NumberSeries, OutboxMessage, StoredFile
    from services.complaints.models import Complaint
    from services.exchange.models import ExchangeMessage
    from tenants.models import Municipality
    from tests.factories import make_user

    with django_db_blocker.unblock():
        towns = {slug: Municipality.objects.get(slug=slug) for slug in ("alpha", "beta")}
        people = {}
        for slug, town in towns.items():
            connection.set_tenant(town)
            people[slug] = make_user(roles=("oss_officer",), username="e2e-oss")
        connection.set_schema_to_public()
    yield people
    with django_db_blocker.unblock():
        for slug, town in towns.items():
            connection.set_tenant(town)
            for complaint in Complaint.objects.all():
                complaint.photos.all().delete()
                complaint.events.all().delete()
                complaint.referrals.all().delete()
            Complaint.objects.all().delete()
            StoredFile.objects.filter(purpose="complaints").delete()
            OutboxMessage.objects.all().delete()
            NumberSeries.objects.filter(series="complaint").delete()
            people[slug].delete()
        connection.set_schema_to_public()
        ExchangeMessage.objects.filter(answers__isnull=False).delete()
        ExchangeMessage.objects.all().delete()


def _phone(browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="th-TH")
    context.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    return context.new_page()


def _fill_filing(page, *, lat: str, lon: str, phone: str) -> None:
    page.wait_for_selector("#pin-map.leaflet-container")
    page.select_option("#id_category", label="🛣️ ถนน ทางเท้า ชำรุด")
    page.fill("#id_description", "ถนนทรุดเป็นหลุมลึกหน้าโรงเรียน")
    # The resident's tap on the map sets these two fields (the map itself is tested in test_oss_browser).
    page.evaluate(
        "([lat, lon]) => { document.getElementById('id_latitude').value = lat;"
        " document.getElementById('id_longitude').value = lon; }",
        [lat, lon],
    )
    page.fill("#id_reporter_name", "สมศรี มีสุข")
    page.fill("#id_reporter_phone", phone)
    page.check("#id_consent")
    page.click("#submit-complaint")


def test_pin_across_the_border_and_a_referral_the_resident_can_follow(server, browser, cast):  # noqa: F811
    beta = server.replace("alpha.localhost", "beta.localhost")
    resident = _phone(browser)

    # 1. A pin inside Beta, filed at Alpha: refused with the neighbour's offer, which carries the pin.
    resident.goto(f"{server}/complaints/new/")
    _fill_filing(resident, lat="12.800000", lon="100.900000", phone="0891110000")
    resident.wait_for_selector("#neighbour-offer")
    assert "เทศบาลตำบลเบตา" in resident.inner_text("#neighbour-offer")
    resident.click("#neighbour-offer a.button")
    resident.wait_for_url(f"{beta}/complaints/new/**")
    assert resident.input_value("#id_latitude") == "12.800000"
    assert resident.input_value("#id_longitude") == "100.900000"

    # 2. A case filed at Alpha, then referred to Beta by Alpha's OSS officer.
    resident.goto(f"{server}/complaints/new/")
    _fill_filing(resident, lat="12.750000", lon="100.900000", phone="0891112222")
    resident.wait_for_selector("#tracking-code")
    code = resident.inner_text("#tracking-code").strip()

    oss = _staff_page(browser, server, "e2e-oss")
    oss.goto(f"{server}/complaints/staff/?queue=triage")
    oss.click(f"text={code}")
    oss.click("#accept-button")
    oss.wait_for_selector("#refer-town")
    oss.select_option("#refer-town", label="เทศบาลตำบลเบตา")
    oss.fill("#refer-town-reason", "ถนนเส้นนี้เป็นของเทศบาลเบตา")
    oss.click("#refer-town-button")
    oss.wait_for_selector("#status:has-text('ส่งต่อหน่วยงานอื่น')")
    assert 'id="accept-button"' not in oss.content()  # a referred case cannot be pulled back by accepting it

    # 3. The resident's tracking page follows the copy in Beta.
    resident.goto(f"{server}/complaints/track/{code}/")
    text = resident.inner_text("body")
    remote = re.search(r"BET-\d{4}-\d{6}", text)
    assert remote, text
    assert "ส่งต่อให้เทศบาลตำบลเบตา" in text

    # 4. Beta declines its copy with a reason; Alpha's case is back in triage with the reason.
    beta_oss = _staff_page(browser, beta, "e2e-oss")
    beta_oss.goto(f"{beta}/complaints/staff/?queue=triage")
    beta_oss.click(f"text={remote.group(0)}")
    beta_oss.fill("#decline-reason", "จุดนี้อยู่นอกเขตเบตา")
    beta_oss.click("#decline-button")
    beta_oss.wait_for_selector("#status:has-text('ไม่รับเรื่อง')")
    oss.goto(oss.url)
    oss.wait_for_selector("#status:has-text('รับเรื่องพิจารณา')")
    assert "จุดนี้อยู่นอกเขตเบตา" in oss.inner_text("body")
