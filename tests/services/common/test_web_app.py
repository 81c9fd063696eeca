"""Each town's portal installs as its own app: manifest, icons from its logo (or its initials), a
service worker that keeps only that town's shell, and an offline page."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tenants.utils import tenant_context
from PIL import Image

from services.common.files.actions import store_upload
from services.common.web_app import initials, short_name

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_icon_cache():
    cache.clear()
    yield
    cache.clear()


def _png(colour, size=(300, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def _give_logo(town, content: bytes, name="logo.png"):
    with tenant_context(town):
        logo = store_upload(SimpleUploadedFile(name, content, content_type="image/png"), purpose="branding",
                            public=True)
    town.branding = {**(town.branding or {}), "logo": str(logo.public_id)}
    town.save()
    return logo


def _image(client, url) -> Image.Image:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    return Image.open(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))


def _worker_config(client) -> dict:
    body = client.get("/sw.js").content.decode()
    return json.loads(re.search(r"const CONFIG = (\{.*?\});\n", body).group(1))


def test_manifest_names_the_town_in_thai_and_starts_on_its_host(client_a, town_a):
    town_a.branding = {"colour": "#1d6b3a"}
    town_a.save()
    manifest = client_a.get("/manifest.webmanifest").json()
    assert manifest["name"] == "เทศบาลตำบลอัลฟา"
    assert manifest["short_name"] == "ทต.อัลฟา"
    assert manifest["lang"] == "th"
    assert manifest["start_url"] == "http://alpha.localhost/"
    assert manifest["scope"] == "/"
    assert manifest["theme_color"] == "#1d6b3a"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    assert any(icon["purpose"] == "maskable" for icon in manifest["icons"])
    assert manifest["shortcuts"][0]["url"] == "/complaints/new/"


def test_manifest_in_english(client_a):
    client_a.post("/i18n/setlang/", {"language": "en", "next": "/"})
    manifest = client_a.get("/manifest.webmanifest").json()
    assert manifest["name"] == "Alpha"
    assert manifest["short_name"] == "Alpha"
    assert manifest["lang"] == "en"
    assert manifest["shortcuts"][0]["name"] == "Report a problem"


def test_a_town_without_a_logo_gets_its_initials_on_its_own_colour(client_a, town_a):
    town_a.branding = {"colour": "#aa0000"}
    town_a.save()
    manifest = client_a.get("/manifest.webmanifest").json()
    for icon in manifest["icons"]:
        image = _image(client_a, icon["src"])
        size = int(icon["sizes"].split("x")[0])
        assert image.size == (size, size)
        assert image.convert("RGB").getpixel((2, 2)) == (170, 0, 0)
        # the initials are drawn in white across the middle
        row = [image.convert("RGB").getpixel((x, size // 2)) for x in range(size)]
        assert any(pixel[0] > 240 and pixel[1] > 240 for pixel in row)


def test_the_icon_is_drawn_from_the_town_logo(client_a, town_a):
    _give_logo(town_a, _png((0, 0, 255)))
    manifest = client_a.get("/manifest.webmanifest").json()
    image = _image(client_a, manifest["icons"][1]["src"]).convert("RGB")
    assert image.size == (512, 512)
    assert image.getpixel((256, 256)) == (0, 0, 255)  # the logo, centred
    assert image.getpixel((3, 3)) == (255, 255, 255)  # on white, its proportions kept
    maskable = _image(client_a, manifest["icons"][2]["src"]).convert("RGB")
    assert maskable.getpixel((256, 256)) == (0, 0, 255)
    assert maskable.getpixel((256, 60)) == (255, 255, 255)  # inside the safe zone only
    response = client_a.get(manifest["icons"][0]["src"])
    assert "immutable" in response["Cache-Control"]


def test_a_logo_that_is_not_an_image_falls_back_to_the_initials(client_a, town_a):
    _give_logo(town_a, b"\x89PNG\r\n\x1a\nnot really a png")
    image = _image(client_a, "/icons/192.png").convert("RGB")
    assert image.getpixel((2, 2)) == (11, 83, 148)  # the default colour, #0b5394


def test_icons_and_caches_never_mix_towns(client_a, client_b, town_a, town_b):
    _give_logo(town_a, _png((0, 0, 255)))
    town_b.branding = {"colour": "#00aa00"}
    town_b.save()
    # Alpha's icon is drawn and cached first; Beta still gets its own, from its initials.
    alpha = _image(client_a, "/icons/512.png").convert("RGB")
    beta = _image(client_b, "/icons/512.png").convert("RGB")
    assert alpha.getpixel((256, 256)) == (0, 0, 255)
    assert beta.getpixel((2, 2)) == (0, 170, 0)
    assert beta.getpixel((256, 256)) != (0, 0, 255)
    src_a = client_a.get("/manifest.webmanifest").json()["icons"][0]["src"]
    src_b = client_b.get("/manifest.webmanifest").json()["icons"][0]["src"]
    assert src_a != src_b  # versioned by what each town's icon is drawn from
    worker_a, worker_b = _worker_config(client_a), _worker_config(client_b)
    assert worker_a["cache"].startswith(f"thongthin-{town_a.schema_name}-")
    assert worker_b["cache"].startswith(f"thongthin-{town_b.schema_name}-")
    assert worker_a["cachePrefix"] != worker_b["cachePrefix"]
    logo_url = f"/files/{town_a.branding['logo']}/"
    assert logo_url in worker_a["static"]
    assert logo_url not in worker_b["static"]
    # Alpha's logo is not reachable on Beta's host.
    assert Client(HTTP_HOST="beta.localhost").get(logo_url).status_code == 404


def test_initials_and_short_names():
    class Town:
        name_en = "Ban Suan Municipality"
        name_th = "องค์การบริหารส่วนตำบลบ้านสวน"
        short_code = "BSN"

    assert initials(Town) == "BS"
    assert short_name(Town, "th") == "อบต.บ้านสวน"
    Town.name_en = ""
    assert initials(Town) == "BSN"


def test_the_worker_keeps_the_shell_and_the_filing_form(client_a):
    response = client_a.get("/sw.js")
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    config = _worker_config(client_a)
    assert {"/", "/offline/", "/complaints/", "/complaints/new/"} <= set(config["pages"])
    assert "/static/complaints/oss-map.js" in config["static"]
    assert "/static/complaints/drafts.js" in config["scripts"]
    assert config["drafts"] == {"fileUrl": "/complaints/new/", "tokenUrl": "/complaints/new/token/"}
    for url in config["pages"]:
        assert Client(HTTP_HOST="alpha.localhost").get(url).status_code == 200


def test_a_town_without_complaints_keeps_no_filing_form(client_a, town_a):
    town_a.enabled_services = ["payments"]
    town_a.save()
    config = _worker_config(client_a)
    assert "/complaints/new/" not in config["pages"]
    assert config["scripts"] == []
    assert "drafts" not in config


def test_changed_categories_make_a_new_worker(client_a, town_a):
    from services.complaints.models import Category

    before = _worker_config(client_a)["cache"]
    assert _worker_config(client_a)["cache"] == before  # stable while nothing changes
    with tenant_context(town_a):
        Category.objects.filter(code="road").update(is_active=False)
    assert _worker_config(client_a)["cache"] != before


def test_offline_page(client_a):
    body = client_a.get("/offline/").content.decode()
    assert "ไม่มีสัญญาณอินเทอร์เน็ต" in body
    assert 'href="/complaints/new/"' in body


def test_unknown_icon_size_is_404(client_a):
    assert client_a.get("/icons/64.png").status_code == 404
