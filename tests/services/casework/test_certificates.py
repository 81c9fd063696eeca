"""Certificate PDFs (Thai text, QR to the verification page), verification states, cross-town safety."""

from __future__ import annotations

import io
import unicodedata

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from pypdf import PdfReader

from services.casework import actions, selectors
from services.casework.actions import certificates
from services.casework.models import Certificate
from tests.services.casework import builders as b

pytestmark = pytest.mark.usefixtures("in_town_a")


def _issued_permit() -> Certificate:
    case, _boss = b.approved_permit()
    return b.pay_and_issue(case)


def nfkd(text: str) -> str:
    return unicodedata.normalize("NFKD", text)


def pdf_text(data: bytes) -> str:
    """The PDF's text as a reader copies it, whitespace-normalised (lines wrap anywhere)."""
    raw = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return nfkd(" ".join(raw.split()))


def _pdf_bytes(certificate: Certificate) -> bytes:
    with certificate.pdf.file.open("rb") as handle:
        return handle.read()


def test_permit_pdf_has_the_official_thai_text():
    certificate = _issued_permit()
    text = pdf_text(_pdf_bytes(certificate))
    for expected in (
        "แบบ อ.1",  # one digit style per document: the town's (Arabic unless it chose Thai)
        "ใบอนุญาตก่อสร้างอาคาร",
        f"เลขที่ {certificate.number}/{certificate.be_year}",
        "อนุญาตให้ สมชาย ใจดี",
        "เทศบาลตำบลอัลฟา อำเภอสัตหีบ จังหวัดชลบุรี",
        "เจ้าพนักงานท้องถิ่น",
        "ตรวจสอบใบอนุญาต: สแกน QR",
    ):
        assert nfkd(expected) in text


def test_the_qr_in_the_pdf_decodes_to_the_verification_page():
    import zxingcpp
    from PIL import Image

    certificate = _issued_permit()
    reader = PdfReader(io.BytesIO(_pdf_bytes(certificate)))
    images = [image for page in reader.pages for image in page.images]
    assert images, "the PDF carries the QR image"
    decoded = [r.text for image in images for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(image.data)))]
    assert decoded == [f"http://alpha.localhost/permits/verify/{certificate.verification_token}/"]


def test_verification_shows_valid_suspended_and_revoked_with_why():
    certificate = _issued_permit()
    assert selectors.verification_state(certificate)["valid"] is True
    actions.suspend_certificate(certificate=certificate, reason="ค้างชำระ")
    state = selectors.verification_state(certificate)
    assert state["valid"] is False
    assert state["reason"] == "ค้างชำระ"
    with pytest.raises(PermissionDenied):
        actions.revoke_certificate(
            certificate_id=certificate.pk, by=b.engineer(), reason="ก่อสร้างผิดแบบอย่างร้ายแรง"
        )
    with pytest.raises(ValidationError):
        actions.revoke_certificate(certificate_id=certificate.pk, by=b.executive(), reason="สั้น")
    actions.revoke_certificate(
        certificate_id=certificate.pk, by=b.executive(), reason="ก่อสร้างผิดแบบอย่างร้ายแรง"
    )
    certificate.refresh_from_db()
    state = selectors.verification_state(certificate)
    assert state["valid"] is False
    assert "เพิกถอน" in state["label"]


def test_a_failed_render_gives_the_number_back(monkeypatch):
    from django.db import transaction

    from services.common.numbering import peek_last_number

    case, _boss = b.approved_permit()
    fee = case.fees.get()
    actions.record_fee_paid(fee_public_id=fee.public_id)
    before = peek_last_number("building_permit", actions.today().year + 543)

    def broken(certificate, **_options):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(certificates, "render_certificate", broken)
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.issue_paid_certificate(case_id=case.pk)
    assert peek_last_number("building_permit", actions.today().year + 543) == before
    assert not Certificate.objects.filter(case=case).exists()
    monkeypatch.undo()
    certificate = actions.issue_paid_certificate(case_id=case.pk)
    assert certificate.number == before + 1


def test_a_certificate_of_one_town_does_not_verify_on_another(client_a, client_b):
    certificate = _issued_permit()
    url = f"/permits/verify/{certificate.verification_token}/"
    response = client_a.get(url)
    assert response.status_code == 200
    assert "ใช้ได้" in response.content.decode()
    assert client_b.get(url).status_code == 404


def test_food_certificate_pdf_has_the_thai_text_and_a_verifying_qr():
    import zxingcpp
    from PIL import Image

    from services.casework.models import Case

    case = b.submitted_food()
    officer = b.health_officer()
    actions.accept_case(case_id=case.pk, by=officer)
    actions.approve_case(case_id=case.pk, by=officer)
    certificate = b.pay_and_issue(Case.objects.get(pk=case.pk))
    data = _pdf_bytes(certificate)
    text = pdf_text(data)
    for expected in (
        "หนังสือรับรองการแจ้งจัดตั้งสถานที่จำหน่ายอาหาร",
        "ร้านข้าวแกงป้าหญิง",
        "มาตรา 48",
        f"เลขที่ {certificate.number}/{certificate.be_year}",
    ):
        assert nfkd(expected) in text
    images = [image for page in PdfReader(io.BytesIO(data)).pages for image in page.images]
    decoded = [r.text for image in images for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(image.data)))]
    assert decoded == [f"http://alpha.localhost/food/verify/{certificate.verification_token}/"]


def test_a_town_that_chose_thai_digits_gets_no_arabic_digit_in_its_permit():
    import re

    from django.db import connection

    connection.tenant.service_settings = {**(connection.tenant.service_settings or {}), "documents": {"digits": "thai"}}
    certificate = _issued_permit()
    text = pdf_text(_pdf_bytes(certificate))
    assert "แบบ อ.๑" in text and "มาตรา ๒๙" in text
    words = [w for w in text.split() if "://" not in w and ".localhost" not in w]  # addresses stay typeable
    assert not [w for w in words if re.search(r"[0-9]", w)]
