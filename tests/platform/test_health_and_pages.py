from django.test import Client


def test_healthz_and_readyz_on_every_host(client_a, platform_client):
    for client in (client_a, platform_client):
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["database"] == "ok"
        assert ready.json()["broker"] == "ok"


def test_readyz_reports_an_unreachable_broker(client_a, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    response = client_a.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "not ready"


def test_portal_lists_only_enabled_services(town_a):
    town_a.enabled_services = ["complaints", "payments"]
    town_a.save()
    body = Client(HTTP_HOST="alpha.localhost").get("/").content.decode()
    assert "แจ้งเรื่องร้องเรียน" in body
    assert "ชำระค่าธรรมเนียม" in body
    assert "ขออนุญาตก่อสร้างอาคาร" not in body


def test_english_switch(client_a):
    client_a.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client_a.get("/").content.decode()
    assert 'lang="en"' in body
    assert "Alpha" in body
    assert "<h2>Services</h2>" in body
    assert "Sign in" in body


def test_manifest_makes_the_portal_installable(client_a):
    manifest = client_a.get("/manifest.webmanifest").json()
    assert manifest["display"] == "standalone"
    assert manifest["name"] == "เทศบาลตำบลอัลฟา"
    assert any(icon["sizes"] == "512x512" for icon in manifest["icons"])
    assert client_a.get(manifest["icons"][0]["src"]).status_code == 200
    assert client_a.get("/sw.js")["Content-Type"].startswith("text/javascript")


def test_thai_font_is_served_locally(client_a):
    response = client_a.get("/static/fonts/sarabun/sarabun-thai-400-normal.woff2")
    assert response.status_code == 200
    css = client_a.get("/static/thongthin/base.css")
    assert b"Sarabun" in b"".join(css.streaming_content) if css.streaming else b"Sarabun" in css.content


def test_thai_is_the_default_whatever_the_browser_asks(client_a):
    body = client_a.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="th"' in body
    assert "<h2>บริการ</h2>" in body


def test_portal_shows_the_town_logo_from_a_public_file(town_a):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django_tenants.utils import schema_context

    from services.common.files.actions import store_upload

    with schema_context(town_a.schema_name):
        logo = store_upload(SimpleUploadedFile("logo.png", b"\x89PNG\r\n\x1a\nlogo", content_type="image/png"),
                            purpose="branding", public=True)
    town_a.branding = {**town_a.branding, "logo": str(logo.public_id)}
    town_a.save()
    client = Client(HTTP_HOST="alpha.localhost")
    body = client.get("/").content.decode()
    assert f"/files/{logo.public_id}/" in body
    assert client.get(f"/files/{logo.public_id}/").status_code == 200
