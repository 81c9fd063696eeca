"""The official PDFs themselves: letters, building permits, food certificates and receipts come out
signed with the town's certificate and timestamped, validate in `pdfsig`, and their public
verification pages say so; without a certificate they are issued marked as not signed."""

from __future__ import annotations

import unicodedata

import pytest
from django.db import connection
from django.urls import reverse

from services.casework.models import Case
from services.common import signing
from services.common.models import SignedDocument
from services.correspondence import actions as saraban
from services.correspondence.models import LetterAttachment
from services.payments import actions as payments
from services.payments import documents
from tests.factories import make_user
from tests.services.casework import builders as b
from tests.services.common.test_signing import pdfsig, text_of, town_certificate, use_tsa
from tests.services.correspondence.helpers import approved_letter, configure_town, staff_set
from tests.services.payments.conftest import make_invoice

pytestmark = pytest.mark.django_db

PASSPHRASE = "pass-2569"


@pytest.fixture
def signed_town(in_town_a, tsa):
    data, cert = town_certificate()
    signing.store_certificate(pkcs12=data, passphrase=PASSPHRASE)
    use_tsa(tsa.url)
    return cert


@pytest.fixture
def tsa():
    from services.common.signing.local_tsa import LocalTimestampAuthority

    authority = LocalTimestampAuthority.fresh().start()
    yield authority
    authority.stop()


def read(stored) -> bytes:
    with stored.file.open("rb") as handle:
        return handle.read()


def assert_signed(pdf: bytes, cert, tsa, tmp_path) -> None:
    report = signing.inspect_pdf(pdf, trust_roots=[cert, tsa.root])
    assert report.intact and report.trusted and report.covers_whole_file
    assert report.timestamped and report.timestamp_valid
    output = pdfsig(pdf, tmp_path)
    assert "Signature is Valid" in output, output


def issued_food():
    case = b.submitted_food()
    officer = b.health_officer()
    b.actions.accept_case(case_id=case.pk, by=officer)
    b.actions.record_inspection(
        case_id=case.pk, by=officer, result="pass", checklist=[{"code": "pests", "ok": True}],
        photos=[b.jpeg("kitchen.jpg")],
    )
    b.actions.approve_case(case_id=case.pk, by=officer)
    return b.pay_and_issue(Case.objects.get(pk=case.pk))


def test_sent_letter_is_signed_and_timestamped(signed_town, tsa, town_b, tmp_path):
    configure_town()
    people = staff_set()
    letter = approved_letter(people)
    saraban.send_letter(letter_id=letter.pk, by=people["clerk"], recipient_codes=[town_b.lao_code])
    stored = LetterAttachment.objects.get(letter=letter, role="rendered").file
    assert_signed(read(stored), signed_town, tsa, tmp_path)
    assert letter.events.filter(action="digitally_signed").exists()
    assert SignedDocument.objects.get(file=stored).status == "signed"


def test_building_permit_is_signed_and_its_verification_page_says_so(signed_town, tsa, tmp_path, client_a, in_town_a):
    case, _boss = b.approved_permit()
    certificate = b.pay_and_issue(case)
    assert_signed(read(certificate.pdf), signed_town, tsa, tmp_path)
    page = client_a.get(reverse("building_permits:verify", args=[certificate.verification_token]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "ลงลายมือชื่อดิจิทัลแล้ว" in text
    assert "ตรวจลายมือชื่อแล้วถูกต้อง" in text
    assert "RFC 3161" in text


def test_food_certificate_is_signed(signed_town, tsa, tmp_path):
    certificate = issued_food()
    assert_signed(read(certificate.pdf), signed_town, tsa, tmp_path)


def test_receipt_is_signed_and_its_verification_page_says_so(signed_town, tsa, tmp_path, client_a):
    officer = make_user(roles=("finance_officer",))
    invoice = make_invoice(amount="150.00")
    receipt = payments.record_counter_payment(invoice_id=invoice.pk, amount=invoice.outstanding, by=officer)
    assert_signed(documents.receipt_pdf(receipt), signed_town, tsa, tmp_path)
    assert tsa.requests_served >= 1
    page = client_a.get(reverse("payments:receipt_verify", kwargs={"token": receipt.verification_token}))
    assert page.status_code == 200
    assert "ลงลายมือชื่อดิจิทัลแล้ว" in page.content.decode()


def test_without_a_certificate_every_document_is_issued_and_marked_unsigned(in_town_a, tmp_path, client_a):
    notice = signing.NOTICE_UNSIGNED
    case, _boss = b.approved_permit()
    permit = b.pay_and_issue(case)
    officer = make_user(roles=("finance_officer",))
    invoice = make_invoice(amount="80.00")
    receipt = payments.record_counter_payment(invoice_id=invoice.pk, amount=invoice.outstanding, by=officer)
    marked = unicodedata.normalize("NFKD", notice)
    for pdf in (read(permit.pdf), documents.receipt_pdf(receipt)):
        assert marked in text_of(pdf)
        assert "does not contain any signatures" in pdfsig(pdf, tmp_path)
    assert SignedDocument.objects.get(file=permit.pdf).status == "unsigned"
    page = client_a.get(reverse("building_permits:verify", args=[permit.verification_token]))
    assert "ไม่ได้ลงลายมือชื่อดิจิทัล" in page.content.decode()


def test_tsa_down_the_permit_is_issued_pending_and_signed_by_the_task(signed_town, tsa, tmp_path):
    from tests.services.common.test_signing import closed_port_url

    use_tsa(closed_port_url())
    case, _boss = b.approved_permit()
    permit = b.pay_and_issue(case)
    assert permit.case.status == "issued"  # the document is issued all the same
    assert SignedDocument.objects.get(file=permit.pdf).status == "pending"
    use_tsa(tsa.url)
    assert signing.sign_pending_documents() == 1
    permit.pdf.refresh_from_db()
    assert_signed(read(permit.pdf), signed_town, tsa, tmp_path)


def test_upload_through_the_settings_page_and_the_signing_options(in_town_a, client_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    admin = make_user(roles=("town_admin",))
    client_a.force_login(admin)
    data, _cert = town_certificate()
    response = client_a.post(
        reverse("correspondence:settings"),
        {"certificate": SimpleUploadedFile("town.p12", data, content_type="application/x-pkcs12"), "passphrase": "x"},
    )
    assert response.status_code == 400 and "รหัสผ่านไม่ถูกต้อง" in response.content.decode()
    response = client_a.post(
        reverse("correspondence:settings"),
        {"certificate": SimpleUploadedFile("town.p12", data, content_type="application/x-pkcs12"),
         "passphrase": PASSPHRASE},
    )
    assert response.status_code == 302
    response = client_a.post(
        reverse("correspondence:settings"),
        {"section": "signing", "tsa_url": "http://127.0.0.1:9/tsa", "on_failure": "unsigned"},
    )
    assert response.status_code == 302
    connection.set_tenant(in_town_a)
    config = signing.signing_settings()
    assert config.subject and config.tsa_url == "http://127.0.0.1:9/tsa" and config.on_failure == "unsigned"
    page = client_a.get(reverse("correspondence:settings"))
    assert "เทศบาลตำบลอัลฟา" in page.content.decode()


def test_old_secret_key_encrypted_certificate_is_resealed_by_the_migration(in_town_a):
    """The data migration opens the SECRET_KEY-derived ciphertext and seals it with the data keys."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps as django_apps

    migration = importlib.import_module(
        "services.correspondence.migrations.0006_signing_certificate_to_secret_box"
    )
    data, _cert = town_certificate()
    old_row = SimpleNamespace(
        signing_pkcs12=migration._old_fernet().encrypt(data),
        signing_passphrase=migration._old_fernet().encrypt(PASSPHRASE.encode()),
        signing_subject="Common Name: เทศบาลตำบลอัลฟา",
    )

    class OldSettings:
        class objects:
            @staticmethod
            def filter(**_kwargs):
                return SimpleNamespace(first=lambda: old_row)

    class Apps:
        def get_model(self, app_label, name):
            if name == "SarabanSettings":
                return OldSettings
            return django_apps.get_model(app_label, name)

    migration.reseal_certificate(Apps(), SimpleNamespace(connection=connection))
    config = signing.signing_settings()
    assert bytes(config.pkcs12) == data and config.passphrase == PASSPHRASE
    assert config.not_valid_after is not None
    outcome = signing.issue_pdf(lambda notice: documents_pdf(notice), reason="หลังย้ายใบรับรอง")
    assert outcome.is_signed


def documents_pdf(notice: str) -> bytes:
    from tests.services.common.test_signing import simple_pdf

    return simple_pdf(notice)

