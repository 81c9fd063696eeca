"""Choose the schema for each request from its Host header (tenancy rule 1)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port
from django.template.loader import render_to_string
from django.utils import translation

from .directory import directory
from .models import MunicipalityStatus

ALWAYS_REACHABLE = ("/healthz", "/readyz", "/static/")


def platform_hosts() -> frozenset[str]:
    return frozenset(h.lower() for h in settings.PLATFORM_HOSTS)


def _page(request: HttpRequest, template: str, status: int, context: dict | None = None) -> HttpResponse:
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    with translation.override(language):
        body = render_to_string(template, {"request": request, **(context or {})})
    return HttpResponse(body, status=status)


class TownRoutingMiddleware:
    """Host → platform (public schema) or a live town (its schema); anything else is a 404 page.

    Replaces django-tenants' TenantMainMiddleware, which queries the Domain table on every request.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self._platform_hosts = platform_hosts()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        connection.set_schema_to_public()
        request.town = None
        request.tenant = None
        try:
            host = request.get_host()
        except DisallowedHost:
            return _page(request, "tenants/bad_host.html", 400)
        hostname, _port = split_domain_port(host)
        hostname = hostname.lower().rstrip(".")
        if not hostname:
            return _page(request, "tenants/bad_host.html", 400)

        if hostname in self._platform_hosts:
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
            request.is_platform = True
            return self.get_response(request)

        request.is_platform = False
        town = directory.resolve(hostname)
        if town is None or town.status not in (MunicipalityStatus.LIVE, MunicipalityStatus.SUSPENDED):
            return _page(request, "tenants/unknown_host.html", 404, {"hostname": hostname})
        if town.status == MunicipalityStatus.SUSPENDED and not request.path.startswith(ALWAYS_REACHABLE):
            # The portal shows a notice and nobody can sign in; the data stays untouched.
            return _page(request, "tenants/suspended.html", 503, {"town": town})

        connection.set_tenant(town)
        request.town = town
        request.tenant = town
        request.urlconf = settings.ROOT_URLCONF
        try:
            response = self.get_response(request)
        finally:
            connection.set_schema_to_public()
        if response.streaming:
            # A streamed body (CSV export, file download) is produced after this method returns:
            # read it in the town's schema too.
            response.streaming_content = _in_schema(town, response.streaming_content)
        return response


def _in_schema(town, content):
    previous = connection.tenant
    connection.set_tenant(town)
    try:
        yield from content
    finally:
        connection.set_tenant(previous)
