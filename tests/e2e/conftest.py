"""Shared set-up of the browser tests: a town made for the test (committed, schema dropped after), a
WSGI server thread serving it, headless Chromium, and signing in.

Order matters: Playwright's sync API runs an event loop in the test's thread, and Django refuses
database set-up from a thread with a running loop. So every browser fixture here asks for the
server (and through it for the town and the test database) before it starts Chromium, never the
other way round; a test cannot get a browser without the database being ready first.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}
needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Chromium is not installed (apt-get install -y chromium)"
)


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True

    def process_request_thread(self, request, client_address):
        from django.db import connections

        try:
            super().process_request_thread(request, client_address)
        finally:
            connections.close_all()  # the test database is dropped at the end: leave no session open


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(autouse=True)
def _no_rate_limits_left_over():
    """Every browser files and looks up from 127.0.0.1, and the per-IP limits live in the shared cache
    (Redis), which outlives a test run: without this, a few runs in an hour leave the filing limit
    spent and the next run's complaints are refused with 429."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def live_town(django_db_setup, django_db_blocker):
    """A fresh town with its own schema, a citizen and two staff, committed; dropped afterwards."""
    from tests.factories import make_town, make_user

    with django_db_blocker.unblock():
        slug = "e2e" + uuid.uuid4().hex[:6]
        town = make_town(
            slug=slug,
            short_code="EEE",
            name_th="เทศบาลตำบลทดสอบ",
            name_en="E2E",
            lao_code="05209977",
            tax_id="0994000230702",
            boundary={
                "type": "Polygon",
                "coordinates": [
                    [[100.88, 12.73], [100.93, 12.73], [100.93, 12.78], [100.88, 12.78], [100.88, 12.73]]
                ],
            },
        )
        with tenant_context(town):
            people = {
                "citizen": make_user(
                    kind="citizen",
                    username="citizen",
                    first_name="สมชาย",
                    last_name="ใจดี",
                    email="citizen@example.org",
                ),
                "engineer": make_user(roles=("building_engineer",), username="engineer"),
                "executive": make_user(roles=("executive",), username="mayor"),
            }
        connection.set_schema_to_public()
        try:
            yield town, people
        finally:
            connection.set_schema_to_public()
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{town.schema_name}" CASCADE')
            town.domains.all().delete()
            type(town).objects.filter(pk=town.pk).delete()


@pytest.fixture
def server(live_town, django_db_blocker):
    """The town (and the platform host, localhost) served on a free loopback port:
    yields (town base URL, port)."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.wsgi import get_wsgi_application

    with django_db_blocker.unblock():
        httpd = make_server(
            "127.0.0.1",
            0,
            StaticFilesHandler(get_wsgi_application()),
            server_class=_Server,
            handler_class=_QuietHandler,
        )
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://{live_town[0].slug}.localhost:{httpd.server_port}", httpd.server_port
        finally:
            httpd.shutdown()
            httpd.server_close()


@contextlib.contextmanager
def chromium_context(*, viewport: dict = PHONE, local_only: bool = False):
    """A phone-like browser context in headless Chromium (Thai locale, touch). With local_only,
    any request off this machine is refused, so a page that needs a CDN or a tile server shows it."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with pytest.MonkeyPatch.context() as patch:
        # Playwright's sync API runs an event loop in this thread; our ORM calls here are still sync.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            context = browser.new_context(viewport=viewport, is_mobile=True, has_touch=True, locale="th-TH")
            context.set_default_timeout(20_000)
            if local_only:
                context.route("**/*", _local_only)
            try:
                yield context
            finally:
                from django.db import connections

                # ORM calls made while Playwright's greenlet runs get their own connection objects:
                # close them, or the test database cannot be dropped at the end of the session.
                connections.close_all()
                context.close()
                browser.close()


def _local_only(route) -> None:
    from urllib.parse import urlsplit

    host = urlsplit(route.request.url).hostname or ""
    if route.request.url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost") or host.endswith(
        ".localhost"
    ):
        route.continue_()
    else:
        route.abort()


@pytest.fixture
def browser_page(server):
    """A page in a phone-sized Chromium, started only once the server (and so the database and the
    town) is up."""
    with chromium_context() as context:
        yield context.new_page()


def sign_in_as(page, base: str, username: str, *, next_path: str = "") -> None:
    """Sign in at `base` (a town or the platform host) through the login form, as a person would
    (the test users' one password), then land on `next_path` if given; any earlier session in this
    browser context is dropped first. Fails at once, naming the user, if the sign-in is refused."""
    from tests.factories import PASSWORD

    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/" + (f"?next={next_path}" if next_path else ""))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"{username} could not sign in at {base}"
    if next_path:
        page.wait_for_url(f"**{next_path}**")


@pytest.fixture
def sign_in():
    """The browser tests' one way to sign in: `sign_in(page, base, username, next_path=...)`."""
    return sign_in_as


def attach_documents_and_submit(page, requirement_ids, document: Path) -> None:
    """On an application's page: attach `document` for every required document, then submit."""
    for pk in requirement_ids:
        page.set_input_files(f"#file-{pk}", str(document))
        page.locator(f"#file-{pk}").locator("xpath=..").locator("button").click()
        page.wait_for_load_state()
    page.click("#submit-case")
    page.wait_for_load_state()


def pay_and_wait_until_issued(django_db_blocker, town, case, port: int, timeout: float = 60.0) -> bool:
    """The bank pays the case's fee through its real callback (bank_simulator, against the live
    server), then the live worker issues the case: True once its status is "issued"."""
    import io

    from django.core.management import call_command

    from services.casework.models import Case
    from tests.waiting import wait_for

    with django_db_blocker.unblock(), tenant_context(town):
        reference = case.fees.get().invoice_reference
    with django_db_blocker.unblock():
        call_command(
            "bank_simulator",
            town=town.slug,
            invoice=reference,
            base_url=f"http://127.0.0.1:{port}",
            stdout=io.StringIO(),
        )
    def issued() -> bool:
        with django_db_blocker.unblock(), tenant_context(town):
            return Case.objects.get(pk=case.pk).status == "issued"

    return wait_for(issued, timeout)
