"""The platform console for DGA admins: the towns list, a town's page with suspend / reactivate /
archive, the DGA dashboard, and the platform audit trail. Lives in onboarding (the console is the
wizard's sibling); tenants keeps only routing and knows no wizard."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from services.common.params import query_param
from services.common.views import audit_entries
from tenants.models import Municipality, MunicipalityKind, MunicipalityStatus

from . import actions, national
from .models import PlatformMonthlySummary
from .selectors import bar_chart, horizontal_bars, province_filter_choices, town_health, towns_for_console
from .service_defaults import service_labels


def platform_admin_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.user.kind != "platform_admin":
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _is_dga(request) -> bool:
    return request.user.is_authenticated and request.user.kind == "platform_admin"


def platform_home(request):
    """Public landing page of the platform; DGA admins also get the towns console."""
    page = None
    filters = {key: query_param(request.GET, key) for key in ("q", "province", "kind", "status")}
    if _is_dga(request):
        towns = towns_for_console(
            query=filters["q"], province=filters["province"], kind=filters["kind"], status=filters["status"]
        )
        page = Paginator(towns, 50).get_page(request.GET.get("page"))
        labels = service_labels()
        for town in page:
            town.health = town_health(town)
            town.service_names = [labels[c][0] for c in town.enabled_services if c in labels]
    return render(
        request,
        "onboarding/console/home.html",
        {
            "page": page,
            "live_count": Municipality.objects.filter(status="live").count(),
            "filters": filters,
            "provinces": province_filter_choices() if page is not None else [],
            "kinds": MunicipalityKind.choices,
            "statuses": MunicipalityStatus.choices,
        },
    )


@platform_admin_required
def town_detail(request, slug):
    """One town: registry data, domains, provisioning jobs, status history and actions."""
    town = get_object_or_404(Municipality, slug=slug)
    return render(
        request,
        "onboarding/console/town_detail.html",
        {
            "town": town,
            "health": town_health(town),
            "domains": town.domains.all(),
            "jobs": town.provisioning_jobs.all()[:10],
            "changes": town.status_changes.select_related("by")[:50],
        },
    )


@platform_admin_required
@require_POST
def town_status(request, slug):
    """Suspend, reactivate or archive a town, with a reason (audited)."""
    town = get_object_or_404(Municipality, slug=slug)
    action = request.POST.get("action")
    reason = request.POST.get("reason", "")
    handlers = {
        "suspend": actions.suspend_town,
        "reactivate": actions.reactivate_town,
        "archive": actions.archive_town,
    }
    if action not in handlers:
        messages.error(request, "ไม่รู้จักคำสั่ง (Unknown action)")
        return redirect("onboarding:town", slug=town.slug)
    if action == "archive" and request.POST.get("confirm_slug") != town.slug:
        messages.error(
            request, "พิมพ์โดเมนย่อยของหน่วยงานเพื่อยืนยันการเก็บถาวร (Type the town's subdomain to confirm archiving)"
        )
        return redirect("onboarding:town", slug=town.slug)
    try:
        change = handlers[action](town=town, reason=reason, by=request.user)
    except actions.StatusChangeRefused as exc:
        messages.error(request, str(exc))
    else:
        done = {
            "suspend": "ระงับการให้บริการชั่วคราวแล้ว (Town suspended)",
            "reactivate": "เปิดให้บริการอีกครั้งแล้ว (Town reactivated)",
            "archive": f"เก็บถาวรแล้ว สำรองข้อมูลไว้ที่ {change.archive_file} (Town archived; dump kept)",
        }
        messages.success(request, done[action])
    return redirect("onboarding:town", slug=town.slug)


@platform_admin_required
def platform_dashboard(request):
    """DGA dashboard, read from the summary tables the refresh fills (no town schema opened):
    national (or province / district) monthly figures, bars per area, the towns league table."""
    province = query_param(request.GET, "province")
    district = query_param(request.GET, "district") if province else ""
    scope = national.Scope(province=province, district=district)
    months = national.monthly(scope, months=12)
    with_data = [m for m in months if m.has_data]
    charts = [
        (
            "เรื่องที่ยื่นต่อเดือน",
            "Requests filed per month",
            bar_chart([(m.label, m.requests_filed if m.has_data else None) for m in months]),
        ),
        (
            "ระยะเวลาแก้ไขเรื่องร้องเรียน (มัธยฐาน ชั่วโมงตามปฏิทิน)",
            "Median complaint resolution (calendar hours)",
            bar_chart([(m.label, m.median_resolution_hours) for m in months]),
        ),
        (
            "ระยะเวลาแก้ไขเรื่องร้องเรียน (มัธยฐาน ชั่วโมงทำการ)",
            "Median complaint resolution (working hours)",
            bar_chart([(m.label, m.median_resolution_working_hours) for m in months]),
        ),
        (
            "เงินที่รับชำระ (บาท)",
            "Money collected (baht)",
            bar_chart([(m.label, float(m.money_collected) if m.has_data else None) for m in months]),
        ),
    ]
    areas = national.area_totals(scope, months=12)
    area_link = (lambda a: f"?province={province}&district={a.code}") if province else (lambda a: f"?province={a.code}")
    area_bars = horizontal_bars([(a.name, a.requests_filed, area_link(a)) for a in areas])
    return render(
        request,
        "onboarding/console/dashboard.html",
        {
            "months": months,
            "latest": with_data[-1] if with_data else None,
            "computed_at": PlatformMonthlySummary.objects.order_by("-computed_at")
            .values_list("computed_at", flat=True)
            .first(),
            "charts": charts,
            "areas": areas,
            "area_bars": area_bars,
            "area_chart_height": max(22 * len(area_bars), 22),
            "league": national.league_table(scope),
            "failing": national.failing_towns(),
            "scope": scope,
            "province_name": Municipality.objects.filter(province_code=province)
            .values_list("province", flat=True)
            .first(),
            "district_name": Municipality.objects.filter(district_code=district)
            .values_list("district", flat=True)
            .first(),
            "provinces": province_filter_choices(),
        },
    )


@platform_admin_required
def platform_audit(request):
    return render(request, "onboarding/console/audit.html", {"page": audit_entries(request)})
