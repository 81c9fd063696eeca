"""Every official PDF is signed (PAdES) with the town's certificate, timestamped by an RFC 3161 TSA
when one is configured, and still issued — marked — when signing cannot be done.

The timestamp authority is a real HTTP server on loopback (services.common.signing.local_tsa);
signatures are checked with pyHanko's validator and with poppler's `pdfsig`.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import socket
import subprocess
import unicodedata

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.core.exceptions import ValidationError
from django.db import connection
from pypdf import PdfReader

from services.common import signing
from services.common.models import SignedDocument, SigningSettings
from services.common.signing.local_tsa import LocalTimestampAuthority

pytestmark = pytest.mark.django_db

PASSPHRASE = "pass-2569"


def town_certificate(
    *, name: str = "เทศบาลตำบลอัลฟา", days: int = 365, starts: dt.timedelta = dt.timedelta(days=-1)
) -> tuple[bytes, x509.Certificate]:
    """A self-signed town certificate as the PKCS#12 file a town would upload."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name), x509.NameAttribute(NameOID.COUNTRY_NAME, "TH")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now + starts)
        .not_valid_after(now + starts + dt.timedelta(days=days))
        .add_extension(x509.KeyUsage(True, True, False, False, False, True, False, False, False), critical=True)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    data = pkcs12.serialize_key_and_certificates(
        b"town", key, cert, None, serialization.BestAvailableEncryption(PASSPHRASE.encode())
    )
    return data, cert


@pytest.fixture
def certificate(in_town_a):
    data, cert = town_certificate()
    signing.store_certificate(pkcs12=data, passphrase=PASSPHRASE)
    return cert


@pytest.fixture
def tsa():
    authority = LocalTimestampAuthority.fresh().start()
    yield authority
    authority.stop()


def use_tsa(url: str, on_failure: str = SigningSettings.OnFailure.QUEUE) -> None:
    config = signing.signing_settings()
    config.tsa_url = url
    config.on_failure = on_failure
    config.save()


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/tsa"  # nothing listens there any more


def text_of(pdf: bytes) -> str:
    raw = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return unicodedata.normalize("NFKD", " ".join(raw.split()))


def pdfsig(pdf: bytes, tmp_path) -> str:
    assert shutil.which("pdfsig"), "poppler-utils (pdfsig) must be installed (.ci/apt.d/signing.txt)"
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60, check=False)
    return result.stdout + result.stderr


def simple_pdf(notice: str = "") -> bytes:
    from services.common.pdf import fonts_css, render_html_to_pdf

    return render_html_to_pdf(
        f'<html><head><style>{fonts_css()} body {{ font-family: "Sarabun"; }}</style></head>'
        f"<body><p>เอกสารทดสอบ</p><p>{notice}</p></body></html>"
    )


# --- the certificate ---------------------------------------------------------------------------


def test_certificate_is_sealed_with_the_data_keys_not_secret_key(certificate):
    from services.common import secret_box

    with connection.cursor() as cursor:
        cursor.execute("SELECT pkcs12, passphrase FROM common_signingsettings WHERE id = 1")
        sealed_file, sealed_passphrase = cursor.fetchone()
    assert PASSPHRASE not in sealed_passphrase
    assert secret_box.unseal(sealed_passphrase).decode() == PASSPHRASE
    assert secret_box.unseal(sealed_file)[:2] == bytes(signing.signing_settings().pkcs12)[:2]
    config = signing.signing_settings()
    assert config.subject.startswith("Common Name: เทศบาลตำบลอัลฟา")
    assert config.not_valid_after > dt.datetime.now(dt.UTC)
    assert (SigningSettings, ["pkcs12", "passphrase"]) in secret_box.encrypted_fields()  # rotate_data_keys re-seals it


def test_wrong_passphrase_expired_or_not_yet_valid_certificates_are_refused(in_town_a):
    data, _cert = town_certificate()
    with pytest.raises(ValidationError, match="รหัสผ่านไม่ถูกต้อง"):
        signing.store_certificate(pkcs12=data, passphrase="wrong")
    expired, _cert = town_certificate(starts=dt.timedelta(days=-400), days=30)
    with pytest.raises(ValidationError, match="หมดอายุ"):
        signing.store_certificate(pkcs12=expired, passphrase=PASSPHRASE)
    future, _cert = town_certificate(starts=dt.timedelta(days=10))
    with pytest.raises(ValidationError, match="ยังไม่ถึงวันเริ่มใช้"):
        signing.store_certificate(pkcs12=future, passphrase=PASSPHRASE)
    with pytest.raises(ValidationError):
        signing.store_certificate(pkcs12=b"not a pkcs12 file", passphrase="")
    assert not signing.signing_settings().pkcs12


# --- signing and timestamps --------------------------------------------------------------------


def test_signed_and_timestamped_pdf_validates_with_pyhanko_and_pdfsig(certificate, tsa, tmp_path):
    use_tsa(tsa.url)
    outcome = signing.issue_pdf(simple_pdf, reason="ทดสอบ", name="นายก")
    assert outcome.is_signed and outcome.timestamped
    assert tsa.requests_served >= 1  # pyHanko asks once more first, to size the signature
    report = signing.inspect_pdf(outcome.pdf, trust_roots=[certificate, tsa.root])
    assert report.intact and report.trusted and report.covers_whole_file
    assert report.timestamped and report.timestamp_valid
    assert "เทศบาลตำบลอัลฟา" in report.signer
    output = pdfsig(outcome.pdf, tmp_path)
    assert "Signature is Valid" in output, output
    assert "ETSI.CAdES.detached" in output  # PAdES, not the legacy adbe.pkcs7 sub-filter


def test_a_changed_byte_breaks_the_signature(certificate, tmp_path):
    outcome = signing.issue_pdf(simple_pdf, reason="ทดสอบ")
    tampered = bytearray(outcome.pdf)
    index = tampered.index(b"/Type /Page") if b"/Type /Page" in tampered else 200
    tampered[index + 1] ^= 0x01
    report = signing.inspect_pdf(bytes(tampered), trust_roots=[certificate])
    assert not report.intact
    assert "Signature is Valid" not in pdfsig(bytes(tampered), tmp_path)


def test_without_a_timestamp_authority_the_signature_is_untimestamped_but_valid(certificate, tmp_path):
    outcome = signing.issue_pdf(simple_pdf, reason="ทดสอบ")
    assert outcome.is_signed and not outcome.timestamped
    assert not signing.inspect_pdf(outcome.pdf, trust_roots=[certificate]).timestamped
    assert "Signature is Valid" in pdfsig(outcome.pdf, tmp_path)


def test_a_town_without_a_certificate_gets_unsigned_pdfs_marked_so(in_town_a, tmp_path):
    outcome = signing.issue_pdf(simple_pdf, reason="ทดสอบ")
    assert outcome.status == SignedDocument.Status.UNSIGNED
    assert unicodedata.normalize("NFKD", signing.NOTICE_UNSIGNED) in text_of(outcome.pdf)
    assert not signing.inspect_pdf(outcome.pdf).signed
    assert "does not contain any signatures" in pdfsig(outcome.pdf, tmp_path)


def test_tsa_down_with_queueing_issues_a_pending_document_then_signs_it(certificate, tsa, tmp_path):
    from django.core.files.base import ContentFile

    from services.common.files.actions import store_upload

    use_tsa(closed_port_url(), SigningSettings.OnFailure.QUEUE)
    outcome = signing.issue_pdf(simple_pdf, reason="ใบอนุญาต 1/2569")
    assert outcome.status == SignedDocument.Status.PENDING
    assert "timestamp" in outcome.message
    assert unicodedata.normalize("NFKD", "รอลงลายมือชื่อดิจิทัล") in text_of(outcome.pdf)
    upload = ContentFile(outcome.pdf, name="doc.pdf")
    upload.content_type = "application/pdf"
    stored = store_upload(upload, purpose="certificate", allowed_types=("application/pdf",))
    signing.record_outcome(stored, outcome, reason="ใบอนุญาต 1/2569")
    assert signing.stored_document_status(stored).state == "pending"

    assert signing.sign_pending_documents() == 0  # still down: waits, counts the attempt
    assert SignedDocument.objects.get(file=stored).attempts == 1

    use_tsa(tsa.url)
    assert signing.sign_pending_documents() == 1
    stored.refresh_from_db()
    with stored.file.open("rb") as handle:
        signed = handle.read()
    report = signing.inspect_pdf(signed, trust_roots=[certificate, tsa.root])
    assert report.intact and report.timestamp_valid
    assert "Signature is Valid" in pdfsig(signed, tmp_path)
    status = signing.stored_document_status(stored)
    assert status.state == "signed" and status.verified and status.timestamped
    assert signing.sign_pending_documents() == 0  # nothing signed twice


def test_tsa_down_with_unsigned_policy_issues_an_unsigned_marked_document(certificate):
    use_tsa(closed_port_url(), SigningSettings.OnFailure.UNSIGNED)
    outcome = signing.issue_pdf(simple_pdf, reason="ทดสอบ")
    assert outcome.status == SignedDocument.Status.UNSIGNED
    assert "timestamp" in outcome.message
    assert unicodedata.normalize("NFKD", signing.NOTICE_UNSIGNED) in text_of(outcome.pdf)


def test_a_certificate_that_expired_after_upload_gives_marked_documents_and_says_why(certificate):
    import time_machine as tm

    use_tsa("", SigningSettings.OnFailure.UNSIGNED)
    with tm.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=400)):
        outcome = signing.issue_pdf(simple_pdf, reason="ทดสอบ")
        assert "หมดอายุ" in signing.certificate_problem()
    assert outcome.status == SignedDocument.Status.UNSIGNED
    assert "หมดอายุ" in outcome.message


def test_a_certificate_sealed_under_a_dropped_key_reads_as_unreadable_and_documents_are_marked(certificate):
    from services.common import secret_box

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE common_signingsettings SET pkcs12 = %s WHERE id = 1",
            ["gAAAAABnot-a-token-any-configured-key-opens"],
        )
    use_tsa("", SigningSettings.OnFailure.UNSIGNED)
    config = signing.signing_settings()
    assert isinstance(config.pkcs12, secret_box.UnreadableSecret)
    outcome = signing.issue_pdf(simple_pdf, reason="ทดสอบ")
    assert outcome.status == SignedDocument.Status.UNSIGNED
    assert "อัปโหลดใหม่" in outcome.message


def test_the_local_tsa_refuses_what_is_not_a_timestamp_query(tsa):
    import requests

    assert requests.post(tsa.url, data=b"hello", timeout=5).status_code == 415
    bad = requests.post(
        tsa.url, data=b"\x30\x03\x02\x01\x01", headers={"Content-Type": "application/timestamp-query"}, timeout=5
    )
    assert bad.status_code == 400


def test_one_towns_certificate_never_signs_another_towns_documents(certificate, town_b):
    connection.set_tenant(town_b)
    outcome = signing.issue_pdf(simple_pdf, reason="ทดสอบ")
    assert outcome.status == SignedDocument.Status.UNSIGNED
    assert not signing.signing_settings().subject
