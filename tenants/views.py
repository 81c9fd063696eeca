"""Platform host pages for DGA admins (the full console comes with onboarding)."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render

from services.common.views import audit_entries

from .models import Municipality


def platform_admin_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.user.kind != "platform_admin":
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def platform_home(request):
    """Public landing page of the platform; DGA admins also see the towns list."""
    page = None
    if request.user.is_authenticated and request.user.kind == "platform_admin":
        towns = Municipality.objects.order_by("name_th")
        query = request.GET.get("q", "").strip()
        if query:
            towns = towns.filter(Q(name_th__icontains=query) | Q(name_en__icontains=query) | Q(slug__icontains=query))
        page = Paginator(towns, 50).get_page(request.GET.get("page"))
    return render(request, "tenants/platform_home.html", {
        "page": page, "live_count": Municipality.objects.filter(status="live").count(),
    })


@platform_admin_required
def platform_audit(request):
    return render(request, "tenants/platform_audit.html", {"page": audit_entries(request)})
