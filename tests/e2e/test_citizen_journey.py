"""End to end in a phone-sized headless Chromium: a B-Buddy volunteer files a food notification for an
elderly resident at her home; the resident signs in with ThaiD (the local OpenID provider, a real HTTP
server on loopback), finds it on "my requests" and takes it over; she downloads her data (JSON + PDF),
withdraws the notification and asks for erasure; the town admin erases her personal data from the
PDPA queue, keeping the notification as an official record."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from tests.e2e.conftest import CHROMIUM, attach_documents_and_submit

ELDER_ID = "1101700230708"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed (apt-get install -y chromium)"),
]


@pytest.fixture
def local_thaid():
    from services.citizens.local_provider import LocalDigitalId

    provider = LocalDigitalId()
    httpd = provider.serve(0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_assisted_filing_take_over_export_and_erasure(live_town, server, browser_page, sign_in, local_thaid,
                                                      django_db_blocker, tmp_path):
    from services.accounts.models import User
    from services.casework.models import Case, DocumentRequirement
    from services.citizens.models import DigitalIdProvider
    from services.privacy.models import DataSubjectRequest
    from tests.factories import make_user

    town, _people = live_town
    base, _port = server
    page = browser_page
    callback = f"{base}/accounts/digital-id/callback/"
    local_thaid.add_client("e2e-thaid", "e2e-secret", [callback])
    with django_db_blocker.unblock(), tenant_context(town):
        DigitalIdProvider.objects.create(kind="thaid", issuer=local_thaid.issuer, client_id="e2e-thaid",
                                         client_secret="e2e-secret", redirect_uri=callback)
        make_user(roles=("bbuddy_volunteer",), username="buddy", first_name="อาสา", last_name="ใจบุญ")
        make_user(roles=("town_admin",), username="admin")
        required = list(DocumentRequirement.objects.filter(kind="food_notification", is_required=True, condition="")
                        .values_list("pk", flat=True))
    connection.set_schema_to_public()
    doc = tmp_path / "doc.pdf"
    doc.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")

    # 1. The volunteer files for ยายบุญมี at her home, ID card checked, consent in person.
    sign_in(page, base, "buddy")
    page.goto(f"{base}/staff/assisted/")
    page.click("#assist-food")
    page.select_option("#id_channel", "bbuddy")
    page.select_option("#id_identity_check", "id_card")
    page.fill("#id_applicant_name", "นางบุญมี ศรีสุข")
    page.fill("#id_applicant_national_id", ELDER_ID)
    page.fill("#id_applicant_phone", "0891234567")
    page.check("input[name=operator_type][value=person]")
    page.fill("#id_operator_name", "นางบุญมี ศรีสุข")
    page.fill("#id_premises_name", "ร้านขนมยายบุญมี")
    page.fill("#id_address", "5 หมู่ 2 ตำบลทดสอบ")
    page.fill("#id_latitude", "12.750000")
    page.fill("#id_longitude", "100.900000")
    page.select_option("#id_business_kind", index=1)
    page.fill("#id_area_m2", "20")
    page.fill("#id_food_types", "ขนมไทย")
    page.click("#save-assisted")
    assert "ยินยอม" in page.content()  # no consent ticked: nothing filed
    page.check("#id_consent_in_person")
    page.click("#save-assisted")
    page.wait_for_selector("#submit-case")
    attach_documents_and_submit(page, required, doc)
    with django_db_blocker.unblock(), tenant_context(town):
        case = Case.objects.get(applicant__username="buddy")
        assert case.status == "submitted" and case.assisted_filing.consent_in_person

    # 2. She signs in with ThaiD (the provider's own page), and takes the notification over.
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.click("#digital-id-thaid")
    page.wait_for_selector("#pid")
    assert page.url.startswith(local_thaid.issuer)
    page.fill("#pid", ELDER_ID)
    page.fill("#given_name", "บุญมี")
    page.fill("#family_name", "ศรีสุข")
    page.click("#allow")
    page.wait_for_selector("#awaiting-take-over")
    assert page.url == f"{base}/me/requests/"
    assert "ยืนยันตัวตนโดย ThaiD" in page.content()
    page.click("#awaiting-take-over button")
    page.wait_for_load_state()
    page.goto(f"{base}/me/requests/")
    assert case.tracking_code in page.inner_text(".my-requests")
    with django_db_blocker.unblock(), tenant_context(town):
        elder = User.objects.get(national_id=ELDER_ID)
        case.refresh_from_db()
        assert case.applicant == elder and elder.identity_provider == "thaid"

    # 3. Her data: JSON and PDF.
    page.goto(f"{base}/me/data/")
    with page.expect_download() as download:
        page.click("#export-json")
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["account"]["national_id"] == ELDER_ID
    assert [a["tracking_code"] for a in data["applications"]] == [case.tracking_code]
    with page.expect_download() as download:
        page.click("#export-pdf")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

    # 4. She withdraws the notification and asks for erasure; the admin erases from the PDPA queue.
    page.goto(f"{base}/food/mine/{case.public_id}/")
    page.once("dialog", lambda dialog: dialog.accept())
    # The withdraw button by its id: the words "ถอนคำขอ" also name a step in the next-steps card
    # above it (and the timeline), and a text match clicked that card, withdrawing nothing.
    page.click("#withdraw-case")
    page.wait_for_load_state()
    assert page.inner_text("#case-status") == "ถอนคำขอ"
    page.goto(f"{base}/me/data/")
    page.click("#ask-erasure")
    page.wait_for_load_state()
    assert "30 วัน" in page.content()
    sign_in(page, base, "admin")
    page.goto(f"{base}/staff/privacy/")
    page.click("text=ขอลบข้อมูล")
    assert "เอกสารราชการ" in page.content()  # what is kept, and why
    page.click("#do-erase")
    page.wait_for_load_state()
    with django_db_blocker.unblock(), tenant_context(town):
        elder.refresh_from_db()
        case.refresh_from_db()
        assert (elder.first_name, elder.national_id, elder.is_active) == ("", "", False)
        assert case.applicant_name == "นางบุญมี ศรีสุข"  # the notification is kept as an official record
        assert DataSubjectRequest.objects.get(kind="erasure").status == "done"
