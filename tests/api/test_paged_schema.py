"""Hand-paginated API lists are documented as pages ({count, next, previous, results}), as they answer."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

from api.tokens import issue_token

PAGED = {
    "api.v1.schema_urlconf": ["/api/v1/food/notifications/", "/api/v1/permits/applications/", "/api/v1/food/register/",
                              "/api/v1/permits/register/", "/api/v1/saraban/registers/{register}/"],
    "api.platform.schema_urlconf": ["/api/platform/v1/municipalities/"],
}


@pytest.mark.parametrize("urlconf", sorted(PAGED))
def test_lists_are_documented_as_pages(urlconf):
    schema = SchemaGenerator(urlconf=urlconf).get_schema(request=None, public=True)
    for path in PAGED[urlconf]:
        ref = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        component = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
        assert set(component["properties"]) == {"count", "next", "previous", "results"}, path
        assert component["properties"]["results"]["type"] == "array"


def test_a_page_answer_matches(client_a, in_town_a):

    from tests.factories import make_user

    token = issue_token(make_user(roles=("public_health_officer",)))
    body = client_a.get("/api/v1/food/notifications/", HTTP_AUTHORIZATION=f"Token {token}").json()
    assert set(body) == {"count", "next", "previous", "results"}
