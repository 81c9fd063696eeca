"""The English catalogue: every Thai source string has an English text, the compiled .mo matches the
.po, and the main citizen pages read in English once the visitor chooses English."""

import gettext
import re
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from tests import factories

THAI = re.compile("[\u0e00-\u0e7f]")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")
LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"


def _unquote(line: str) -> str:
    body = line[line.index('"') + 1 : line.rindex('"')]
    return re.sub(r'\\(["\\nt])', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


def read_po(path: Path) -> list[dict]:
    """A small .po reader: live entries (obsolete `#~` ones are skipped) with context, id, text, flags."""
    entries, entry, field = [], None, None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if entry is not None:
                entries.append(entry)
            entry, field = None, None
            continue
        if line.startswith("#~"):
            continue
        entry = entry or {"msgctxt": None, "msgid": "", "msgstr": "", "flags": set()}
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[field] += _unquote(line)
        else:
            field = line.split(" ", 1)[0]
            if field.startswith("msgstr["):
                # Plural forms: the first one is checked as the text, the others kept apart.
                field = "msgstr" if field == "msgstr[0]" else f"msgstr_{field[7:-1]}"
            entry[field] = _unquote(line)
    return [e for e in entries if e["msgid"]]


@pytest.fixture(autouse=True)
def _thai_again_afterwards():
    """A request with the English cookie leaves English active in this thread; later tests expect Thai."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="module")
def po_entries():
    return read_po(LOCALE_DIR / "django.po")


def test_every_thai_string_has_a_checked_english_text(po_entries):
    thai = [e for e in po_entries if THAI.search(e["msgid"])]
    assert len(thai) > 1000  # every app's strings were collected, not only the foundation's
    assert [e["msgid"] for e in thai if not e["msgstr"].strip()] == []
    assert [e["msgid"] for e in thai if "fuzzy" in e["flags"]] == []


def test_english_texts_keep_the_placeholders_and_are_english(po_entries):
    for entry in po_entries:
        if not entry["msgstr"]:
            continue
        assert set(PLACEHOLDER.findall(entry["msgstr"])) <= set(PLACEHOLDER.findall(entry["msgid"])), entry["msgid"]
        # Only a sample Thai agency code may appear in an English text.
        assert not THAI.search(entry["msgstr"].replace("ชบ 52105", "").replace("ที่ ", "")), entry["msgid"]


def test_compiled_catalogue_matches_the_po(po_entries):
    with open(LOCALE_DIR / "django.mo", "rb") as handle:
        catalogue = gettext.GNUTranslations(handle)._catalog
    for entry in po_entries:
        if not THAI.search(entry["msgid"]):
            continue
        key = entry["msgid"] if entry["msgctxt"] is None else f"{entry['msgctxt']}\x04{entry['msgid']}"
        if "msgid_plural" in entry:
            key = (key, 0)  # gettext keeps plural entries under (msgid, form)
        assert catalogue.get(key), f"not in django.mo (run compilemessages): {entry['msgid']}"
        assert catalogue[key] == entry["msgstr"]


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    body = unescape(response.content.decode())
    headings = [unescape(re.sub(r"<[^>]+>", " ", h)).strip() for h in re.findall(r"<h1[^>]*>(.*?)</h1>", body, re.S)]
    assert headings, url
    return body, headings


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


TOWN_PAGES = [
    ("/", ["Alpha", "Services", "Sign in", "Complaints and requests", "One Stop Service centre", "Skip to content"]),
    ("/accounts/login/", ["Sign in", "Username", "Password", "<p class=\"muted\">Alpha</p>"]),
    ("/complaints/new/", ["Report a complaint / request a service", "Category", "Send report", "Use my current location"]),
    ("/payments/", ["Pay fees", "Payer code", "Registered phone number", "Send code"]),
    ("/permits/", ["Building permit (up to 150 square metres)", "Apply for a permit", "My applications"]),
]


@pytest.mark.parametrize(("url", "words"), TOWN_PAGES)
def test_town_pages_in_english(town_a, url, words):
    town_a.enabled_services = ["complaints", "payments", "building_permits", "food_premises"]
    town_a.save()
    _thai_body, thai_headings = _page(Client(HTTP_HOST="alpha.localhost"), url)
    assert any(THAI.search(h) for h in thai_headings)  # Thai stays the default
    body, headings = _page(_english(Client(HTTP_HOST="alpha.localhost")), url)
    assert 'lang="en"' in body
    for word in words:
        assert word in body, (url, word)
    assert not [h for h in headings if THAI.search(h)], headings


def test_permit_application_form_in_english(in_town_a):
    citizen = factories.make_user(kind="citizen")
    client = _english(Client(HTTP_HOST="alpha.localhost"))
    client.force_login(citizen)
    body, headings = _page(client, "/permits/apply/")
    assert headings == ["Building permit application (Khor 1)"]
    for word in ("Step 1 of 3", "Applicant's full name", "13-digit national ID number", "Title deed (Chanote)",
                 "Standard house plan", "Save and go to attachments"):
        assert word in body, word


def test_platform_home_in_english(platform_client):
    body, headings = _page(_english(platform_client), "/")
    assert headings == ["Thongthin"]
    assert "Sign in" in body
    assert not THAI.search(" ".join(re.findall(r"<h2[^>]*>(.*?)</h2>", body, re.S)))


def test_every_backoffice_menu_label_has_an_english_text():
    from django.apps import apps

    labels = [str(label) for config in apps.get_app_configs() for label, *_ in getattr(config, "backoffice_menu", ())]
    assert len(labels) > 10
    with translation.override("en"):
        assert [label for label in labels if THAI.search(translation.gettext(label))] == []


def test_backoffice_and_public_register_in_english(in_town_a):
    roles = ("town_admin", "oss_officer", "finance_officer", "saraban_clerk", "building_engineer")
    staff = factories.make_user(roles=roles, kind="staff")
    client = _english(Client(HTTP_HOST="alpha.localhost"))
    client.force_login(staff)
    body, headings = _page(client, "/staff/")
    for word in ("Finance: overview", "Complaints", "Building permit applications", "e-Saraban", "Staff and roles"):
        assert word in body, word
    menu = re.search(r'<nav class="side".*?</nav>', body, re.S).group(0)
    assert "Finance: overview" in menu
    assert not THAI.search(re.sub(r"<[^>]+>", " ", menu))
    body, headings = _page(client, "/payments/staff/")
    assert headings[0].startswith("Finance: overview")
    body, headings = _page(client, "/permits/register/")
    assert headings == ["Register: Building permit"]


def test_public_board_in_english(town_a):
    """The board (issue #9) reads in English once chosen: no Thai left in its headings, filters or notes."""
    from django.db import connection

    from services.complaints.models import Category, OssSettings

    connection.set_tenant(town_a)
    OssSettings.objects.update_or_create(defaults={"public_board_enabled": True})
    Category.objects.filter(code="road").update(on_public_board=True, name_en="Damaged road or footpath")
    connection.set_schema_to_public()
    body, headings = _page(_english(Client(HTTP_HOST="alpha.localhost")), "/complaints/board/")
    assert not [h for h in headings if THAI.search(h)], headings
    visible = re.sub(r"<script.*?</script>|<[^>]+>", " ", body, flags=re.S)
    thai_left = [line.strip() for line in visible.splitlines() if THAI.search(line)]
    # Only the language switch ("ภาษาไทย") and the bilingual brand stay Thai.
    assert all("ภาษาไทย" in line or "ท้องถิ่นดิจิทัล" in line for line in thai_left), thai_left
