"""Sign-in with ThaiD end to end against a real OpenID provider on loopback (its own process):
discovery, authorization with PKCE, the code exchanged over HTTP, the ID token checked against the
provider's JWKS. Every bad answer is a clear page with the right status and nothing changed."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.db import connection
from django.test import Client

from services.accounts.models import User
from services.citizens.models import DigitalIdProvider, DigitalIdSignIn
from tests.factories import make_user

from .conftest import OTHER_ID, VALID_ID, register

pytestmark = pytest.mark.django_db


def begin(client: Client, kind: str = "thaid", next_url: str = "") -> str:
    response = client.get(f"/accounts/digital-id/{kind}/" + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def confirm_at_provider(authorize_url: str, *, pid: str = VALID_ID, given="มาลี", family="ใจดี",
                        decision="allow") -> str:
    """What the person does at ThaiD: the page is fetched and its form posted over real HTTP."""
    page = requests.get(authorize_url, timeout=5)
    assert page.status_code == 200, page.text
    assert "ThaiD" in page.text
    query = dict(parse_qs(urlsplit(authorize_url).query, keep_blank_values=True))
    form = {k: v[0] for k, v in query.items()}
    form.update(pid=pid, given_name=given, family_name=family, decision=decision)
    answer = requests.post(urlsplit(authorize_url)._replace(query="").geturl(), data=form, timeout=5,
                           allow_redirects=False)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def callback(client: Client, location: str):
    parts = urlsplit(location)
    return client.get(f"{parts.path}?{parts.query}")


def sign_in(client: Client, **person):
    return callback(client, confirm_at_provider(begin(client), **person))


def signed_in_user(client: Client, town):
    response = client.get("/accounts/digital-id/thaid/")  # any request loads the session's user
    connection.set_tenant(town)
    try:
        user_id = client.session.get("_auth_user_id")
        return User.objects.get(pk=user_id) if user_id else None
    finally:
        connection.set_schema_to_public()
        assert response.status_code in (302, 404, 502)


def users_with(town, national_id: str) -> list[User]:
    connection.set_tenant(town)
    try:
        return list(User.objects.filter(national_id=national_id))
    finally:
        connection.set_schema_to_public()


def test_first_sign_in_makes_one_verified_account_and_the_next_finds_it(thaid, town_a, client_a):
    register(town_a, thaid)
    response = sign_in(client_a)
    assert response.status_code == 302 and response["Location"] == "/me/requests/"
    [user] = users_with(town_a, VALID_ID)
    assert (user.kind, user.identity_provider, user.first_name, user.last_name) == ("citizen", "thaid", "มาลี", "ใจดี")
    assert user.identity_verified_at is not None and not user.has_usable_password()
    assert signed_in_user(client_a, town_a).pk == user.pk

    again = Client(HTTP_HOST="alpha.localhost")
    assert sign_in(again, given="มาลี", family="ใจดี (สกุลใหม่)").status_code == 302
    [same] = users_with(town_a, VALID_ID)
    assert same.pk == user.pk and same.last_name == "ใจดี (สกุลใหม่)"
    connection.set_tenant(town_a)
    assert DigitalIdSignIn.objects.filter(user=user).count() == 2


def test_next_page_is_kept_and_an_offsite_next_is_dropped(thaid, town_a, client_a):
    register(town_a, thaid)
    location = confirm_at_provider(begin(client_a, next_url="/payments/"))
    assert callback(client_a, location)["Location"] == "/payments/"
    other = Client(HTTP_HOST="alpha.localhost")
    location = confirm_at_provider(begin(other, next_url="https://evil.example/"))
    assert callback(other, location)["Location"] == "/me/requests/"


def test_a_signed_in_local_account_takes_the_verified_id(thaid, town_a, client_a, in_town_a):
    local = make_user(kind="citizen", first_name="มาลี", last_name="ใจดี")
    client_a.force_login(local)
    register(town_a, thaid)
    assert sign_in(client_a).status_code == 302
    [user] = users_with(town_a, VALID_ID)
    assert user.pk == local.pk and user.verified_national_id == VALID_ID


def test_an_id_bound_to_another_account_is_refused_and_nothing_changes(thaid, town_a, client_a, in_town_a):
    make_user(kind="citizen", username="owner", national_id=VALID_ID, identity_provider="thaid")
    someone = make_user(kind="citizen", username="someone-else")
    client_a.force_login(someone)
    register(town_a, thaid)
    response = sign_in(client_a)
    assert response.status_code == 409
    assert "ผูกกับบัญชีอื่น" in response.content.decode()
    connection.set_tenant(town_a)
    someone.refresh_from_db()
    assert someone.national_id == "" and someone.identity_provider == ""
    assert DigitalIdSignIn.objects.count() == 0


def test_a_staff_members_id_does_not_sign_in_a_citizen(thaid, town_a, client_a, in_town_a):
    make_user(kind="staff", national_id=VALID_ID, identity_provider="thaid")
    connection.set_schema_to_public()
    register(town_a, thaid)
    assert sign_in(client_a).status_code == 409
    assert signed_in_user(client_a, town_a) is None


@pytest.mark.parametrize(("mode", "status"), [
    ("foreign_key", 401),     # signed with a key that is not in the provider's JWKS: forged
    ("wrong_audience", 401),  # issued for another client
    ("wrong_nonce", 401),     # not the answer to this browser's request
    ("expired", 401),
    ("wrong_issuer", 401),
    ("down", 502),            # the token endpoint answers 503
])
def test_bad_tokens_and_a_failing_provider_sign_no_one_in(thaid, town_a, client_a, mode, status):
    register(town_a, thaid)
    location = confirm_at_provider(begin(client_a))
    thaid.misbehave(mode)
    response = callback(client_a, location)
    assert response.status_code == status
    assert "(" in response.content.decode()  # Thai with the English in brackets
    assert users_with(town_a, VALID_ID) == []
    assert signed_in_user(client_a, town_a) is None


def test_a_replayed_callback_is_refused(thaid, town_a, client_a):
    register(town_a, thaid)
    location = confirm_at_provider(begin(client_a))
    assert callback(client_a, location).status_code == 302
    client_a.logout()
    replay = callback(client_a, location)
    assert replay.status_code == 400
    assert signed_in_user(client_a, town_a) is None
    # from another browser too: it never started this sign-in
    assert callback(Client(HTTP_HOST="alpha.localhost"), location).status_code == 400


def test_a_stolen_code_in_another_browsers_flow_fails_pkce(thaid, town_a):
    register(town_a, thaid)
    victim, attacker = Client(HTTP_HOST="alpha.localhost"), Client(HTTP_HOST="alpha.localhost")
    victims_answer = parse_qs(urlsplit(confirm_at_provider(begin(victim))).query)
    attackers_state = parse_qs(urlsplit(begin(attacker)).query)["state"][0]
    response = attacker.get("/accounts/digital-id/callback/",
                            {"code": victims_answer["code"][0], "state": attackers_state})
    assert response.status_code == 400
    assert users_with(town_a, VALID_ID) == []


def test_a_provider_that_does_not_answer_is_a_clear_502(town_a, client_a):
    connection.set_tenant(town_a)
    DigitalIdProvider.objects.create(kind="thaid", issuer="http://127.0.0.1:9", client_id="x", client_secret="y")
    connection.set_schema_to_public()
    response = client_a.get("/accounts/digital-id/thaid/")
    assert response.status_code == 502
    assert "ไม่ตอบสนอง" in response.content.decode()


def test_the_person_declining_at_the_provider_signs_no_one_in(thaid, town_a, client_a):
    register(town_a, thaid)
    response = callback(client_a, confirm_at_provider(begin(client_a), decision="deny"))
    assert response.status_code == 400
    assert users_with(town_a, VALID_ID) == []


@pytest.mark.parametrize("query", ["", "?state=nope&code=abc", "?state=&code=", "?code=" + "x" * 5000])
def test_nonsense_callbacks_are_400_not_500(thaid, town_a, client_a, query):
    register(town_a, thaid)
    begin(client_a)
    assert client_a.get("/accounts/digital-id/callback/" + query).status_code == 400


def test_a_bang_sare_sign_in_means_nothing_on_another_town(thaid, town_a, town_b, client_a, client_b):
    register(town_a, thaid)
    register(town_b, thaid)
    location = confirm_at_provider(begin(client_a))
    # alpha's answer brought to beta: beta never started it
    assert callback(client_b, location).status_code == 400
    # beta's own flow with alpha's code: the provider issued that code to alpha's client
    beta_state = parse_qs(urlsplit(begin(client_b)).query)["state"][0]
    code = parse_qs(urlsplit(location).query)["code"][0]
    assert client_b.get("/accounts/digital-id/callback/", {"code": code, "state": beta_state}).status_code == 400
    assert callback(client_a, location).status_code == 302
    assert len(users_with(town_a, VALID_ID)) == 1
    assert users_with(town_b, VALID_ID) == []
    assert signed_in_user(client_b, town_b) is None
    # beta knows the person only once they sign in there; one person is one account per town
    assert sign_in(client_b).status_code == 302
    assert len(users_with(town_b, VALID_ID)) == 1 and len(users_with(town_a, VALID_ID)) == 1


def test_other_people_get_their_own_accounts(thaid, town_a):
    register(town_a, thaid)
    assert sign_in(Client(HTTP_HOST="alpha.localhost")).status_code == 302
    assert sign_in(Client(HTTP_HOST="alpha.localhost"), pid=OTHER_ID, given="สมชาย", family="ดีใจ").status_code == 302
    assert len(users_with(town_a, VALID_ID)) == 1 and len(users_with(town_a, OTHER_ID)) == 1


def test_login_page_offers_the_town_provider_and_the_platform_has_none(thaid, town_a, client_a, platform_client):
    register(town_a, thaid)
    page = client_a.get("/accounts/login/").content.decode()
    assert 'id="digital-id-thaid"' in page and "ThaiD" in page
    assert platform_client.get("/accounts/login/").status_code == 200


def test_town_admin_registers_the_client_and_the_secret_is_sealed(thaid, town_a, client_a, in_town_a):
    admin = make_user(roles=("town_admin",))
    clerk = make_user(roles=("officer",))
    clerk_client = Client(HTTP_HOST="alpha.localhost")
    clerk_client.force_login(clerk)
    client_a.force_login(admin)
    connection.set_schema_to_public()
    assert clerk_client.get("/staff/digital-id/").status_code == 403
    assert client_a.get("/staff/digital-id/").status_code == 200
    response = client_a.post("/staff/digital-id/thaid/", {
        "issuer": thaid.issuer, "client_id": "alpha-thaid", "client_secret": "alpha-secret",
        "scope": "openid pid given_name family_name", "national_id_claim": "pid", "is_active": "on",
    })
    assert response.status_code == 302
    connection.set_tenant(town_a)
    with connection.cursor() as cursor:
        cursor.execute("SELECT client_secret FROM citizens_digitalidprovider WHERE kind = 'thaid'")
        stored = cursor.fetchone()[0]
    assert "alpha-secret" not in stored
    assert DigitalIdProvider.objects.get(kind="thaid").client_secret == "alpha-secret"
    # saving again without typing the secret keeps it
    connection.set_schema_to_public()
    client_a.post("/staff/digital-id/thaid/", {"issuer": thaid.issuer, "client_id": "alpha-thaid",
                                               "scope": "openid pid", "national_id_claim": "pid", "is_active": "on"})
    connection.set_tenant(town_a)
    assert DigitalIdProvider.objects.get(kind="thaid").client_secret == "alpha-secret"
    connection.set_schema_to_public()
    client_b = Client(HTTP_HOST="beta.localhost")
    assert client_b.get("/accounts/digital-id/thaid/").status_code == 404  # beta registered nothing
    assert sign_in(Client(HTTP_HOST="alpha.localhost")).status_code == 302
