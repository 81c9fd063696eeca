"""Open311 as outside clients use it: GET servicerequestupdates (FixMyStreet's extension), media_url
fetched safely from a real HTTP server on loopback, jurisdiction_id by host, slug or LAO code, and
the Open311 error shape on every path."""

from __future__ import annotations

import datetime as dt
import http.server
import io
import json
import threading

import pytest
from defusedxml import ElementTree as ET
from django.utils import timezone
from PIL import Image

from services.complaints import actions
from services.complaints.models import Complaint, ComplaintPhoto
from tests.factories import make_user

from .test_open311 import BASE, _post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api(in_town_a):
    from .test_open311 import _Client

    return _Client(HTTP_HOST="alpha.localhost")


@pytest.fixture
def key(in_town_a):
    _client, api_key = actions.issue_open311_key(name="FixMyStreet", by=make_user(roles=("town_admin",)))
    return api_key


def _jpeg(size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "blue").save(out, "JPEG")
    return out.getvalue()


class _Media(http.server.BaseHTTPRequestHandler):
    routes: dict = {}

    def do_GET(self):
        status, headers, body = self.routes.get(self.path, (404, {}, b"no"))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def media_server(settings):
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Media)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    _Media.routes = {
        "/photo.jpg": (200, {"Content-Type": "image/jpeg"}, _jpeg()),
        "/page.jpg": (200, {"Content-Type": "image/jpeg"}, b"<html><script>alert(1)</script></html>"),
        "/huge.jpg": (200, {"Content-Type": "image/jpeg"}, b"\xff\xd8\xff" + b"0" * (11 * 1024 * 1024)),
        "/hop": (302, {"Location": "/photo.jpg"}, b""),
        "/inside": (302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b""),
    }
    yield base
    server.shutdown()
    server.server_close()


# --- servicerequestupdates ---------------------------------------------------------------------


def test_status_changes_flow_back_through_servicerequestupdates(api, key):
    assert _post(api, key).status_code == 201
    case = Complaint.objects.get()
    oss = make_user(roles=("oss_officer",))
    actions.accept_complaint(complaint_id=case.pk, by=oss, note="ส่งกองช่างแล้ว")
    since = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    rows = api.get(f"{BASE}/servicerequestupdates.json", {"start_date": since}).json()
    accepted = [r for r in rows if r["status"] == "investigating"]
    assert accepted and accepted[-1]["service_request_id"] == case.tracking_code
    assert accepted[-1]["description"] == "ส่งกองช่างแล้ว"
    assert {"update_id", "updated_datetime", "media_url"} <= set(accepted[-1])
    root = ET.fromstring(api.get(f"{BASE}/servicerequestupdates.xml", {"start_date": since}).content)
    assert root.tag == "service_requests_updates"
    assert root.find("request_update/service_request_id").text == case.tracking_code


def test_updates_honour_the_window_and_refuse_bad_dates(api, key):
    _post(api, key)
    later = (timezone.now() + dt.timedelta(days=1)).isoformat()
    assert api.get(f"{BASE}/servicerequestupdates.json", {"start_date": later}).json() == []
    bad = api.get(f"{BASE}/servicerequestupdates.xml", {"start_date": "yesterday"})
    assert bad.status_code == 400
    assert ET.fromstring(bad.content).find("error/code").text == "400"


def test_updates_of_town_a_are_not_seen_by_town_b(api, key, town_b):
    from .test_open311 import _Client

    _post(api, key)
    other = _Client(HTTP_HOST="beta.localhost")
    assert other.get(f"{BASE}/servicerequestupdates.json").json() == []


# --- media_url ---------------------------------------------------------------------------------


def test_a_photo_named_by_media_url_is_fetched_and_attached(api, key, media_server):
    response = _post(api, key, media_url=f"{media_server}/hop")
    assert response.status_code == 201, response.content
    photo = ComplaintPhoto.objects.get(complaint__tracking_code=response.json()[0]["service_request_id"])
    assert photo.file.content_type == "image/jpeg"
    assert photo.width == 64


@pytest.mark.parametrize(
    ("path", "words"),
    [("/page.jpg", "not an accepted image"), ("/huge.jpg", "larger than"), ("/missing.jpg", "HTTP 404"),
     ("/inside", "non-public address")],
)
def test_a_bad_media_url_is_a_400_and_files_nothing(api, key, media_server, path, words):
    response = _post(api, key, media_url=media_server + path)
    assert response.status_code == 400
    assert words in response.json()[0]["description"]
    assert not Complaint.objects.exists()


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:5432/", "http://localhost/x.jpg", "http://10.1.2.3/x.jpg", "http://169.254.169.254/",
     "http://[::1]/x.jpg", "file:///etc/passwd", "ftp://example.org/x.jpg", "http://user:pw@example.org/x.jpg"],
)
def test_internal_addresses_and_other_schemes_are_never_fetched(api, key, url):
    response = _post(api, key, media_url=url)
    assert response.status_code == 400
    assert not Complaint.objects.exists()


# --- jurisdiction_id and errors ----------------------------------------------------------------


@pytest.mark.parametrize("jurisdiction", ["alpha.localhost", "alpha", "ALPHA", "05209901"])
def test_jurisdiction_id_may_be_the_host_the_slug_or_the_lao_code(api, jurisdiction):
    assert api.get(f"{BASE}/services.json", {"jurisdiction_id": jurisdiction}).status_code == 200


@pytest.mark.parametrize("jurisdiction", ["beta", "05209902", "beta.localhost", "nowhere"])
def test_another_towns_jurisdiction_is_a_404(api, jurisdiction):
    response = api.get(f"{BASE}/services.json", {"jurisdiction_id": jurisdiction})
    assert response.status_code == 404
    assert response.json()[0]["code"] == 404


@pytest.mark.parametrize(
    "path", ["/open311/v2/nothing.json", "/open311/v2/requests/", "/open311/v2/", "/open311/", "/open311/v2/x.xml"]
)
def test_every_open311_404_is_in_the_open311_shape(api, path):
    response = api.get(path)
    assert response.status_code == 404
    if path.endswith(".xml"):
        assert ET.fromstring(response.content).find("error/code").text == "404"
    else:
        assert json.loads(response.content)[0]["code"] == 404
