"""Letters are signed with the town's certificate when one is configured; the signature verifies."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from services.correspondence import actions, signing
from services.correspondence.models import LetterAttachment
from tests.factories import make_user
from tests.services.correspondence.helpers import approved_letter, configure_town, staff_set

pytestmark = pytest.mark.django_db


def _town_certificate(passphrase: bytes) -> tuple[bytes, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "เทศบาลตำบลอัลฟา"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "TH"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    data = pkcs12.serialize_key_and_certificates(
        b"town", key, cert, None, serialization.BestAvailableEncryption(passphrase)
    )
    return data, cert


def test_sent_letter_carries_a_valid_signature_of_the_town(in_town_a, town_b):
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    configure_town()
    data, cert = _town_certificate(b"pass-2569")
    config = actions.saraban_settings()
    with pytest.raises(ValidationError):
        signing.store_certificate(config, pkcs12=data, passphrase="wrong")
    signing.store_certificate(config, pkcs12=data, passphrase="pass-2569")
    assert b"BEGIN" not in bytes(actions.saraban_settings().signing_pkcs12)  # encrypted at rest
    people = staff_set()
    letter = approved_letter(people)
    actions.send_letter(letter_id=letter.pk, by=people["clerk"], recipient_codes=[town_b.lao_code])
    stored = LetterAttachment.objects.get(letter=letter, role="rendered").file
    with stored.file.open("rb") as handle:
        reader = PdfFileReader(io.BytesIO(handle.read()))
    [signature] = reader.embedded_signatures
    root = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    status = validate_pdf_signature(signature, ValidationContext(trust_roots=[root]))
    assert status.intact
    assert status.valid
    assert letter.events.filter(action="digitally_signed").exists()


def test_certificate_upload_with_a_wrong_passphrase_is_refused(in_town_a, client_a):
    admin = make_user(roles=("town_admin",))
    client_a.force_login(admin)
    data, _cert = _town_certificate(b"right")
    response = client_a.post(
        reverse("correspondence:settings"),
        {
            "certificate": SimpleUploadedFile("town.p12", data, content_type="application/x-pkcs12"),
            "passphrase": "wrong",
        },
    )
    connection.set_tenant(in_town_a)
    assert response.status_code == 400
    assert "รหัสผ่านไม่ถูกต้อง" in response.content.decode()
    assert not actions.saraban_settings().signing_pkcs12
