"""Every main page on a 360 px phone, in headless Chromium: nothing scrolls sideways and axe-core finds
no serious or critical accessibility violation (WCAG 2.1 A/AA and axe's best practices).

The pages: the citizen portal (home, filing a complaint, tracking, my requests, bills, permits, food,
my data), the staff back-office (home, complaints inbox/case/dashboard/settings, messages, finance,
permits, food, people) and the platform console (towns, dashboard, onboarding, audit, a town's page).
They are read from a town made for this test (committed, schema dropped afterwards) served by a WSGI
server thread; axe-core is vendored under tests/e2e/vendor/axe-core (MPL-2.0, docs/decisions.md).
Every problem found on every page is reported at once, page by page."""

from __future__ import annotations

import os
import re
import uuid
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from tests.e2e.conftest import CHROMIUM, chromium_context

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WIDTH = 360

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed (apt-get install -y chromium)"),
]

# Elements that stick out past the right edge of the screen, outermost only. An element clipped by a
# box that itself fits (a map's tiles, a table in its own scroll box) does not widen the page.
OVERFLOW_JS = """(vw) => {
  const out = [];
  const sticksOut = (r) => r.right > vw + 1 || r.width > vw + 1;
  const clipped = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const ox = getComputedStyle(a).overflowX;
      if (ox !== 'visible' && !sticksOut(a.getBoundingClientRect())) return true;
    }
    return false;
  };
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if ((r.width === 0 && r.height === 0) || !sticksOut(r) || clipped(el)) continue;
    const p = el.parentElement;
    if (p && p !== document.body && sticksOut(p.getBoundingClientRect()) && !clipped(p)) continue;
    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
    out.push(name + ' ' + Math.round(r.left) + '..' + Math.round(r.right) + 'px');
  }
  return {scrollWidth: document.scrollingElement.scrollWidth, wide: out.slice(0, 8)};
}"""

AXE_JS = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  const violations = result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 4).map(n => n.target.join(' ') + (n.failureSummary ? ' — ' + n.failureSummary.split('\\n').slice(1, 2).join('') : ''))
  }));
  return {violations, rules: result.passes.length + result.violations.length + result.incomplete.length};
}"""


@pytest.fixture
def page_cast(live_town, django_db_blocker):
    """What the pages show: a complaint with its tracking link, a bill, a permit draft, a staff member
    with every back-office role of the town, and a DGA console admin (public schema)."""
    from services.accounts.models import User
    from services.complaints import actions as complaints
    from services.complaints.models import Category, OssSettings
    from services.payments.actions import InvoiceLineSpec, raise_invoice
    from tests.factories import make_user
    from tests.services.casework.builders import submitted_food, submitted_permit

    town, people = live_town
    with django_db_blocker.unblock():
        with tenant_context(town):
            board = OssSettings.current()
            board.public_board_enabled = True
            board.save()
            Category.objects.filter(code="road").update(on_public_board=True)
            complaint = complaints.submit_complaint(
                filing=complaints.Filing(
                    category=Category.objects.get(code="road"), description="ถนนหน้าบ้านเป็นหลุมลึก รถจักรยานยนต์ล้ม",
                    latitude=Decimal("12.75"), longitude=Decimal("100.9"), reporter_name="สมชาย ใจดี",
                    reporter_phone="0812345678", reporter_email="citizen@example.org", consent=True,
                ),
                by=people["citizen"], ip="203.0.113.9",
            )
            bill = raise_invoice(
                payer_name="สมชาย ใจดี", payer_phone="0812345678", source="e2e-pages", source_id=uuid.uuid4().hex,
                lines=[InvoiceLineSpec(fee_code="garbage", description="ค่าเก็บขยะมูลฝอย", quantity=Decimal("1"),
                                       unit_price=Decimal("60.00"))],
            )
            permit = submitted_permit(applicant=people["citizen"])
            food = submitted_food(applicant=people["citizen"])
            make_user(roles=("town_admin", "oss_officer", "finance_officer", "building_engineer", "public_health_officer",
                             "saraban_clerk"), username="allstaff", first_name="ทดสอบ", last_name="ทุกหน้า")
        connection.set_schema_to_public()
        dga = make_user(kind="platform_admin", username=f"dga-{town.slug}")
    try:
        yield {"complaint": complaint, "bill": bill, "permit": permit, "food": food, "dga": dga}
    finally:
        with django_db_blocker.unblock():
            connection.set_schema_to_public()
            # Only public-schema rows may point at the console admin; a plain delete() would look for
            # them in every town app's tables, which the public schema does not have.
            User.objects.filter(pk=dga.pk)._raw_delete(connection.alias)


@pytest.fixture
def phone(server, page_cast):
    """A 360 px phone. It asks for the server (and so for the test database and the town) first:
    Playwright's event loop must not be running when the database fixtures are set up."""
    with chromium_context(viewport={"width": WIDTH, "height": 740}, local_only=True) as context:
        yield context.new_page()


def _check(page, url: str) -> list[str]:
    response = page.goto(url)
    page.wait_for_load_state("load")
    if response is None or response.status >= 400:
        return [f"answers {response.status if response else 'nothing'}"]
    if "/accounts/login/" in page.url and "/accounts/login/" not in url:
        return [f"sent to sign in: {page.url}"]
    if shots := os.environ.get("E2E_SCREENSHOTS"):  # a folder: every checked page as a person sees it
        name = re.sub(r"[^a-z0-9]+", "-", urlsplit(url).path.lower()).strip("-") or "home"
        host = urlsplit(url).hostname.split(".")[0]
        page.screenshot(path=str(Path(shots) / f"{host}-{name[:80]}.png"), full_page=True)
    return _problems(page)


def _problems(page) -> list[str]:
    problems = []
    fit = page.evaluate(OVERFLOW_JS, WIDTH)
    if fit["scrollWidth"] > WIDTH:
        problems.append(f"scrolls sideways: scrollWidth {fit['scrollWidth']} > {WIDTH}")
    problems += [f"wider than the screen: {w}" for w in fit["wide"]]
    page.add_script_tag(path=str(AXE))
    axe = page.evaluate(AXE_JS)
    if axe["rules"] < 20:  # axe ran its rules (a broken injection would pass every page)
        problems.append(f"axe ran only {axe['rules']} rules")
    for v in axe["violations"]:
        problems.append(f"axe {v['impact']} {v['id']} ({v['help']}): " + "; ".join(v["nodes"]))
    return problems


def test_every_main_page_fits_a_360px_phone_and_passes_axe(live_town, server, page_cast, phone, sign_in):
    town, _people = live_town
    base, port = server
    platform = f"http://localhost:{port}"
    complaint, bill = page_cast["complaint"], page_cast["bill"]
    permit, food = page_cast["permit"].public_id, page_cast["food"].public_id
    anonymous = [
        "/", "/accounts/login/", "/complaints/", "/complaints/new/", "/complaints/track/",
        f"/complaints/t/{complaint.access_token}/", "/complaints/board/", "/complaints/transparency/",
        "/payments/", f"/payments/bill/{bill.access_token}/", "/permits/", "/food/", "/privacy/",
    ]
    citizen = ["/me/requests/", "/complaints/mine/", f"/complaints/track/{complaint.tracking_code}/",
               "/permits/apply/", "/permits/mine/", f"/permits/mine/{permit}/", "/food/apply/", "/food/mine/",
               f"/food/mine/{food}/", "/me/data/"]
    staff = ["/staff/", "/complaints/staff/", f"/complaints/staff/{complaint.pk}/", "/complaints/staff/new/",
             "/complaints/staff/dashboard/", "/complaints/staff/settings/", "/staff/messages/", "/payments/staff/",
             "/payments/staff/invoices/", f"/payments/staff/invoices/{bill.number}/", "/payments/staff/payers/",
             "/payments/staff/receipts/", "/payments/staff/settings/", "/permits/staff/", f"/permits/staff/{permit}/",
             "/permits/staff/settings/", "/food/staff/", f"/food/staff/{food}/", "/food/staff/settings/",
             "/staff/people/", "/staff/privacy/", "/staff/privacy/retention/", "/staff/assisted/", "/staff/audit/", "/saraban/",
             "/saraban/letters/new/"]
    console = ["/", "/onboarding/dashboard/", "/onboarding/", "/audit/", f"/onboarding/towns/{town.slug}/"]

    # The checks can fail: a page with a too-wide box and an unlabelled field fails both.
    phone.set_content('<!doctype html><html lang="th"><meta name="viewport" content="width=device-width">'
                      '<title>t</title><main><div style="width:500px">กว้าง</div><input id="q"></main>')
    bad = _problems(phone)
    assert any("scrolls sideways" in p for p in bad) and any("div" in p and "wider" in p for p in bad), bad
    assert any("axe critical label" in p for p in bad), bad

    found: dict[str, list[str]] = {}
    checked = 0

    def walk(root: str, paths: list[str]) -> None:
        nonlocal checked
        for path in paths:
            problems = _check(phone, root + path)
            checked += 1
            if problems:
                found[urlsplit(root).hostname.split(".")[0] + path] = problems

    walk(base, anonymous)
    sign_in(phone, base, "citizen")
    walk(base, citizen)
    sign_in(phone, base, "allstaff")
    walk(base, staff)
    sign_in(phone, platform, page_cast["dga"].username)
    walk(platform, console)

    report = "\n".join(f"{page}:\n  " + "\n  ".join(problems) for page, problems in found.items())
    assert not found, f"{len(found)} of {checked} pages have problems at {WIDTH} px:\n{report}"
    assert checked == len(anonymous) + len(citizen) + len(staff) + len(console)
