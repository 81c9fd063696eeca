"""A citizen on a 360 px phone loses the signal: the portal still opens from the phone (service
worker), a complaint written with text, pin and photo is kept on the phone, and when the network
comes back it arrives at the town exactly once and its tracking code is shown. A draft whose
category the town closed meanwhile is refused with a clear message and kept for the citizen to fix.

The network is cut with Chrome DevTools Protocol network emulation on the page, and for the
service worker through the browser context (Playwright applies the same emulation to it)."""

from __future__ import annotations

import pytest

from . import test_oss_browser as journey  # skips this module too where Chromium or Playwright is missing

pytestmark = [pytest.mark.e2e]
# The committed staff, the server process on the test database and headless Chromium of the OSS journey.
cast, server, browser = journey.cast, journey.server, journey.browser


def _complaints(django_db_blocker):
    from django.db import connection

    from services.complaints.models import Complaint
    from tenants.models import Municipality

    with django_db_blocker.unblock():
        connection.set_tenant(Municipality.objects.get(slug="alpha"))
        rows = list(Complaint.objects.order_by("pk").values("tracking_code", "filing_key", "description"))
        photos = {c.tracking_code: c.photos.count() for c in Complaint.objects.all()}
        connection.set_schema_to_public()
    return rows, photos


def _set_category_active(django_db_blocker, code: str, active: bool) -> None:
    from django.db import connection

    from services.complaints.models import Category
    from tenants.models import Municipality

    with django_db_blocker.unblock():
        connection.set_tenant(Municipality.objects.get(slug="alpha"))
        Category.objects.filter(code=code).update(is_active=active)
        connection.set_schema_to_public()


def _network(context, cdp, *, offline: bool) -> None:
    cdp.send("Network.emulateNetworkConditions", {
        "offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1,
    })
    context.set_offline(offline)


def _fill(page, *, category_label: str, description: str, photo: bytes) -> None:
    page.wait_for_selector("#pin-map.leaflet-container")
    page.select_option("#id_category", label=category_label)
    page.fill("#id_description", description)
    page.locator("#pin-map").scroll_into_view_if_needed()
    box = page.locator("#pin-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert page.input_value("#id_latitude") != ""
    page.set_input_files("#id_photos", files=[{"name": "drain.jpg", "mimeType": "image/jpeg", "buffer": photo}])
    page.fill("#id_reporter_name", "สมใจ รักถิ่น")
    page.fill("#id_reporter_phone", "0891234567")
    page.check("#id_consent")


def test_a_complaint_filed_offline_arrives_once_when_the_signal_returns(
    server, browser, cast, django_db_blocker, monkeypatch
):
    from tests.services.complaints.conftest import jpeg_bytes

    # The test reads the database between browser steps; Playwright's sync API runs an event loop.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, locale="th-TH"
    )
    context.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    page.goto(f"{server}/complaints/new/")
    # The town's worker takes the page and keeps the shell before the signal goes.
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=30000)
    page.wait_for_function(
        """async () => {
            for (const name of await caches.keys()) {
                const cache = await caches.open(name);
                if (name.startsWith('thongthin-') && await cache.match('/complaints/new/')
                    && await cache.match('/static/complaints/drafts.js')) return true;
            }
            return false;
        }""",
        timeout=30000,
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    _network(context, cdp, offline=True)
    assert page.evaluate("navigator.onLine") is False
    # A page the phone does not keep: the offline page, which offers to write a complaint anyway.
    page.goto(f"{server}/complaints/transparency/")
    page.wait_for_selector("#offline-page")
    page.click("#offline-page a.button")
    page.wait_for_selector("#complaint-form")

    _fill(page, category_label="💡 ไฟฟ้าส่องสว่างสาธารณะดับ/ชำรุด",
          description="ไฟทางดับทั้งซอย เขียนตอนไม่มีสัญญาณ", photo=jpeg_bytes())
    page.click("#submit-complaint")
    page.wait_for_selector("#offline-drafts li.draft-waiting")
    assert "กลับมาออนไลน์" in page.inner_text("#offline-drafts [data-notice]")
    assert page.input_value("#id_description") == ""  # the form is free for another report
    assert _complaints(django_db_blocker)[0] == []

    # A second draft, whose category the town will close before the signal returns.
    _fill(page, category_label="🛣️ ถนน ทางเท้า ชำรุด", description="หลุมบนถนนหน้าวัด ลึกมาก",
          photo=jpeg_bytes(colour=(20, 20, 200)))
    page.click("#submit-complaint")
    page.wait_for_function("document.querySelectorAll('#offline-drafts li.draft-waiting').length === 2")
    _set_category_active(django_db_blocker, "road", False)

    try:
        _network(context, cdp, offline=False)
        page.wait_for_selector("#offline-drafts .draft-tracking-code", timeout=30000)
        page.wait_for_selector("#offline-drafts li.draft-needs_fix", timeout=30000)
        code = page.inner_text("#offline-drafts .draft-tracking-code").strip()
        assert code.startswith("ALP-")
        assert "changed its categories" in page.inner_text("#offline-drafts li.draft-needs_fix")

        rows, photos = _complaints(django_db_blocker)
        assert [r["tracking_code"] for r in rows] == [code]
        assert rows[0]["description"] == "ไฟทางดับทั้งซอย เขียนตอนไม่มีสัญญาณ"
        assert rows[0]["filing_key"] is not None
        assert photos[code] == 1

        # The same draft sent again, this time by the worker (the sender Background Sync runs), as if
        # the first answer had been lost: still one complaint, and the phone is told the same code.
        key = str(rows[0]["filing_key"])
        page.evaluate(
            """async (key) => {
                const draft = await ThongthinDrafts.get(key);
                draft.status = 'waiting';
                await ThongthinDrafts.put(draft);
                navigator.serviceWorker.controller.postMessage({type: 'thongthin-send-drafts'});
            }""",
            key,
        )
        page.wait_for_function(
            "async (key) => (await ThongthinDrafts.get(key)).status === 'sent'", arg=key, timeout=30000
        )
        resent = page.evaluate("async (key) => (await ThongthinDrafts.get(key))", key)
        assert resent["trackingCode"] == code
        assert [r["tracking_code"] for r in _complaints(django_db_blocker)[0]] == [code]

        # The refused draft is corrected and sent: the second complaint, no third.
        page.reload()
        page.wait_for_selector("#offline-drafts li.draft-needs_fix button")
        page.click("#offline-drafts li.draft-needs_fix button:first-of-type")
        assert page.input_value("#id_description") == "หลุมบนถนนหน้าวัด ลึกมาก"
        assert page.input_value("#id_latitude") != ""
        page.select_option("#id_category", label="💡 ไฟฟ้าส่องสว่างสาธารณะดับ/ชำรุด")
        page.check("#id_consent")
        page.click("#submit-complaint")
        page.wait_for_selector("#tracking-code")
        second = page.inner_text("#tracking-code").strip()
        rows, photos = _complaints(django_db_blocker)
        assert [r["tracking_code"] for r in rows] == [code, second]
        assert photos[second] == 1  # the photo kept on the phone came back with the draft
    finally:
        _set_category_active(django_db_blocker, "road", True)
        context.close()
