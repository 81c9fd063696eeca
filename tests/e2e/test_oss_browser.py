"""End to end in headless Chromium: a citizen files from a phone-sized browser, the OSS centre
accepts, the department head assigns, the officer resolves, and the citizen sees it resolved and
rates it. The Django server runs as a real process on the test database, bound to 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
pytestmark = [pytest.mark.e2e]

if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
    pytest.skip(
        f"Chromium not found at {CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)",
        allow_module_level=True,
    )
playwright_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

from tests.e2e.conftest import sign_in_as  # noqa: E402 (after the module-level skip)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def cast(django_db_setup, django_db_blocker):
    """Committed staff of town alpha (the server process must see them); everything is removed after."""
    from django.db import connection

    from services.accounts.models import Department
    from services.common.models import NumberSeries, OutboxMessage, StoredFile
    from services.complaints.models import Category, Complaint, Holiday, HolidayYear
    from tenants.models import Municipality
    from tests.factories import make_user

    with django_db_blocker.unblock():
        town = Municipality.objects.get(slug="alpha")
        connection.set_tenant(town)
        works = Department.objects.create(code="e2e-works", name_th="กองช่าง (e2e)")
        people = {
            "oss": make_user(roles=("oss_officer",), username="e2e-oss"),
            "head": make_user(roles=("department_head",), username="e2e-head", department=works),
            "officer": make_user(
                roles=("officer",), username="e2e-officer", department=works, first_name="ช่างสมพงษ์"
            ),
        }
        Category.objects.filter(code="streetlight").update(department=works)
        connection.set_schema_to_public()
    yield people
    with django_db_blocker.unblock():
        connection.set_tenant(town)
        for complaint in Complaint.objects.all():
            complaint.photos.all().delete()
            complaint.events.all().delete()
        Complaint.objects.all().delete()
        StoredFile.objects.filter(purpose="complaints").delete()
        OutboxMessage.objects.all().delete()
        NumberSeries.objects.filter(series="complaint").delete()
        Holiday.objects.all().delete()
        HolidayYear.objects.all().delete()
        Category.objects.filter(code="streetlight").update(department=None)
        for user in people.values():
            user.delete()
        works.delete()
        connection.set_schema_to_public()


@pytest.fixture
def server(cast, tmp_path):
    from django.conf import settings
    from django.db import connections

    db = connections["default"].settings_dict
    host, port_number = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    url = f"postgresql://{db['USER']}:{db['PASSWORD']}@{host}:{port_number}/{db['NAME']}"
    port = _free_port()
    base = str(settings.BASE_DIR)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "THONGTHIN_TESTING": "1",
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "THONGTHIN_DATA_DIR": str(tmp_path),
        "DJANGO_DEBUG": "0",
        "THONGTHIN_PUBLIC_PORT": str(port),  # links to other towns carry the test server's port
        "PYTHONPATH": os.pathsep.join([base, os.path.join(base, "platform")]),
    }
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
        cwd=base,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail("server exited: " + proc.stderr.read().decode()[-2000:])
            time.sleep(0.3)
    else:
        proc.terminate()
        pytest.fail("server did not start in 30 s")
    yield f"http://alpha.localhost:{port}"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def browser(server):
    """Chromium, started once the server (and so the database and the cast) is up: Playwright's event
    loop must not be running in this thread while the database fixtures are set up."""
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--host-resolver-rules=MAP *.localhost 127.0.0.1",
            ],
        )
        # OpenStreetMap tiles are not fetched in tests: the map still works without them.
        try:
            yield chromium
        finally:
            from django.db import connections

            # ORM calls a test makes between browser steps run in Playwright's greenlet with their own
            # connections: close them, or the test database cannot be dropped at the end of the session.
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop still runs here
                connections.close_all()
            chromium.close()


def _staff_page(browser, base: str, username: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="th-TH")
    context.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    page = context.new_page()
    sign_in_as(page, base, username, next_path="/complaints/staff/")
    return page


def test_citizen_files_officer_resolves_citizen_rates(server, browser, cast):
    from tests.services.complaints.conftest import jpeg_bytes

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="th-TH"
    )
    phone.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    citizen = phone.new_page()
    citizen.goto(f"{server}/complaints/")
    citizen.click("text=แจ้งเรื่องใหม่")
    citizen.wait_for_selector("#pin-map.leaflet-container")
    citizen.select_option("#id_category", label="💡 ไฟฟ้าส่องสว่างสาธารณะดับ/ชำรุด")
    citizen.fill("#id_description", "ไฟทางดับ 3 ต้นหน้าตลาดสด มืดมากตอนกลางคืน")
    box = citizen.locator("#pin-map").bounding_box()
    citizen.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert citizen.input_value("#id_latitude") != ""
    citizen.fill("#id_reporter_name", "สมใจ รักถิ่น")
    citizen.fill("#id_reporter_phone", "0891234567")
    citizen.check("#id_consent")
    citizen.click("#submit-complaint")
    citizen.wait_for_selector("#tracking-code")
    code = citizen.inner_text("#tracking-code").strip()
    assert code.startswith("ALP-")
    assert "รับเรื่องแล้ว" in citizen.inner_text("#complaint-status")

    oss = _staff_page(browser, server, "e2e-oss")
    oss.goto(f"{server}/complaints/staff/?queue=triage")
    oss.click(f"text={code}")
    oss.click("#accept-button")
    oss.wait_for_selector("text=รับเรื่องพิจารณา")

    head = _staff_page(browser, server, "e2e-head")
    head.goto(f"{server}/complaints/staff/?queue=department")
    head.click(f"text={code}")
    head.select_option("#id_officer", label="ช่างสมพงษ์ (กองช่าง (e2e))")
    head.click("#assign-button")
    head.wait_for_selector("#status:has-text('มอบหมาย')")

    officer = _staff_page(browser, server, "e2e-officer")
    officer.goto(f"{server}/complaints/staff/?queue=mine&status=open")
    officer.click(f"text={code}")
    officer.click("#start-button")
    officer.wait_for_selector("#status:has-text('กำลังดำเนินการ')")
    officer.fill("#id_reply", "เปลี่ยนหลอดไฟทั้ง 3 ต้นแล้ว")
    officer.click("#resolve-button")
    # street lights need an "after" photo: refused, the reply is kept, then resolved with the photo
    officer.wait_for_selector("text=ต้องแนบรูปหลังดำเนินการอย่างน้อย 1 รูป")
    assert officer.input_value("#id_reply") == "เปลี่ยนหลอดไฟทั้ง 3 ต้นแล้ว"
    officer.set_input_files(
        "#id_photos", files=[{"name": "after.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}]
    )
    officer.click("#resolve-button")
    officer.wait_for_selector("#status:has-text('ดำเนินการแล้ว')")

    citizen.goto(f"{server}/complaints/track/{code}/")
    assert "ดำเนินการแล้ว" in citizen.inner_text("#complaint-status")
    assert "เปลี่ยนหลอดไฟทั้ง 3 ต้นแล้ว" in citizen.inner_text("#timeline")
    citizen.check("input[name=rating][value='5']")
    citizen.fill("#id_comment", "รวดเร็วมาก ขอบคุณค่ะ")
    citizen.click("#confirm-button")
    citizen.wait_for_selector("#rating")
    assert citizen.inner_text("#rating") == "5/5"
    assert "ปิดเรื่อง" in citizen.inner_text("#complaint-status")


def test_photo_gps_suggests_the_pin_in_the_browser(server, browser):
    from tests.services.complaints.conftest import jpeg_bytes

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="th-TH")
    phone.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    page = phone.new_page()
    page.goto(f"{server}/complaints/new/")
    page.wait_for_selector("#pin-map.leaflet-container")
    page.set_input_files(
        "#id_photos",
        files=[
            {"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes(gps=(12.7512, 100.9034))}
        ],
    )
    page.wait_for_function("document.getElementById('id_latitude').value !== ''")
    assert abs(float(page.input_value("#id_latitude")) - 12.7512) < 1e-4
    assert abs(float(page.input_value("#id_longitude")) - 100.9034) < 1e-4
