"""Town portal home, staff back-office shell, audit viewer, error pages (the web app: web_app.py)."""

from __future__ import annotations

import sys

from auditlog.models import LogEntry
from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from services.common.params import query_param


def service_label(config) -> str:
    """The service's name in the page's language, from its AppConfig.service_label (Thai, English)."""
    th, en = config.service_label
    return en if translation.get_language() == "en" else th


def _service_entry(config) -> dict:
    try:
        url = reverse(config.portal_tile["url"])
    except NoReverseMatch:
        url = None
    return {"code": config.label, "label": service_label(config), "hint": config.portal_tile["hint"], "url": url}


def portal_tiles(town) -> list[dict]:
    """The town's enabled services that declare a portal tile (AppConfig.portal_tile), in its order."""
    configs = {config.label: config for config in apps.get_app_configs() if getattr(config, "portal_tile", None)}
    return [_service_entry(configs[code]) for code in town.enabled_services if code in configs]


def portal_home(request):
    return render(request, "common/portal_home.html", {"services": portal_tiles(request.town)})


def backoffice_menu(user) -> list[dict]:
    """Menu entries of every app the user's permissions open, from AppConfig.backoffice_menu."""
    items = []
    for config in apps.get_app_configs():
        for label, url_name, permission in getattr(config, "backoffice_menu", ()):
            if permission is None or user.has_perm(permission):
                try:
                    items.append({"label": label, "url": reverse(url_name)})
                except NoReverseMatch:
                    continue
    return items


def staff_required(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if not getattr(request.user, "is_staff_member", False):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@staff_required
def backoffice_home(request):
    roles = request.user.role_codes()
    return render(request, "common/backoffice_home.html", {
        "backoffice_menu": backoffice_menu(request.user), "roles": roles,
    })


def audit_entries(request):
    """Filtered, paginated audit entries of the current schema."""
    entries = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp")
    model = query_param(request.GET, "model")
    actor = query_param(request.GET, "actor")
    query = query_param(request.GET, "q")
    if model:
        entries = entries.filter(content_type__model=model.lower())
    if actor:
        entries = entries.filter(actor__username__icontains=actor)
    if query:
        entries = entries.filter(object_repr__icontains=query)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return page


@staff_required
def audit_trail(request):
    if not request.user.has_perm("accounts.view_audit_trail"):
        raise PermissionDenied
    return render(request, "common/audit_trail.html", {
        "page": audit_entries(request), "backoffice_menu": backoffice_menu(request.user),
    })


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    # The database, or PgBouncer in front of it, went away mid-request (a restart, a failover):
    # the transaction was rolled back and nothing was answered, so the client may simply retry.
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        response = HttpResponse(render_to_string("errors/503_database.html"), status=503)
        response["Retry-After"] = "5"
        return response
    return render(request, "errors/500.html", status=500)


__all__ = ["_"]
