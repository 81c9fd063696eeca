"""GeoReport v2 endpoints. Jurisdiction id = the town's primary domain; keys are rows of the town's
schema (tenancy rule 4), so a key of one town is refused by every other."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from services.common import safe_fetch
from services.common import views as common_views
from services.common.links import absolute_url
from services.common.workflow import TransitionNotAllowed
from services.complaints import actions, board, photos, referrals
from services.complaints.geo import parse_coordinate
from services.complaints.models import Category, Complaint, ComplaintEvent
from services.complaints.sla import BANGKOK
from services.complaints.workflow import OPEN311_CLOSED, OPEN_STATUSES, ComplaintStatus

from .render import error, respond

SPEC_URL = "http://wiki.open311.org/GeoReport_v2"
DEFAULT_WINDOW = dt.timedelta(days=90)
MAX_RESULTS = 1000
FORMATS = ("json", "xml")
MEDIA_TYPES = ("image/jpeg", "image/png", "image/webp", "image/heic", "image/heif")


def jurisdiction_ids(request) -> set[str]:
    """What a client may send as jurisdiction_id for this town: its host name (the primary one or
    the one asked), its slug, or its LAO code (รหัส อปท., 8 digits)."""
    town = request.town
    names = {town.primary_host, request.get_host().split(":")[0], town.slug, town.lao_code or ""}
    return {name.strip().lower() for name in names if name and name.strip()}


def _jurisdiction_ok(request) -> bool:
    given = (request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id") or "").strip().lower()
    return not given or given in jurisdiction_ids(request)


def _has_nul(request) -> bool:
    """PostgreSQL refuses NUL in text: a parameter carrying one can match nothing and is refused up front."""
    for params in (request.GET, request.POST):
        for key, values in params.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return True
    return False


def _guard(fmt: str, request):
    if fmt not in FORMATS:
        return error("json", 400, "format must be json or xml")
    if _has_nul(request):
        return error(fmt, 400, "parameters must not contain NUL characters")
    if not _jurisdiction_ok(request):
        return error(fmt, 404, "jurisdiction_id not found")
    return None


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(BANGKOK).isoformat(timespec="seconds") if value else None


def _service_row(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name_th,
        "description": category.description or category.name_en or category.name_th,
        "metadata": category.attributes.exists(),
        "type": "realtime",
        "keywords": category.keywords,
        "group": category.group,
    }


def discovery(request, fmt: str):
    if fmt not in FORMATS:
        return error("json", 400, "format must be json or xml")
    town = request.town
    base = request.build_absolute_uri(reverse("open311:discovery", args=["json"]).rsplit("discovery", 1)[0])
    data = {
        "changeset": "2026-01-01T00:00:00+07:00",
        "contact": f"{town.name_th} {town.phone} {town.email}".strip(),
        "key_service": "api_key: " + request.build_absolute_uri("/complaints/staff/settings/"),
        "endpoints": [
            {
                "specification": SPEC_URL,
                "url": base,
                "changeset": "2026-01-01T00:00:00+07:00",
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return respond(fmt, data, root="discovery", item=None)


def services(request, fmt: str):
    if (refusal := _guard(fmt, request)) is not None:
        return refusal
    rows = [_service_row(c) for c in Category.objects.filter(is_active=True).prefetch_related("attributes")]
    return respond(fmt, rows, root="services", item="service")


def service_definition(request, service_code: str, fmt: str):
    if (refusal := _guard(fmt, request)) is not None:
        return refusal
    category = Category.objects.filter(code=service_code, is_active=True).first()
    if category is None:
        return error(fmt, 404, f"service_code {service_code} not found")
    attributes = [
        {
            "variable": a.variable,
            "code": a.code,
            "datatype": a.datatype,
            "required": a.required,
            "datatype_description": a.datatype_description or None,
            "order": a.order,
            "description": a.description,
            "values": [{"key": v.get("key"), "name": v.get("name")} for v in (a.values or [])],
        }
        for a in category.attributes.all()
    ]
    return respond(
        fmt, {"service_code": category.code, "attributes": attributes}, root="service_definition", item=None
    )


# Phone numbers and ID numbers typed into a description are masked in public output (PDPA).
_LONG_NUMBER = re.compile(r"(?:\+?\d[\d\s-]{7,}\d)")


# Characters XML 1.0 cannot carry (a pasted control character must not break the XML output).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _public_text(text: str) -> str:
    return _NOT_XML.sub("", _LONG_NUMBER.sub("•••", text))


def _responsible(c: Complaint) -> str | None:
    """The department working on it; for a referred case, the town or agency it was handed to."""
    if c.status == ComplaintStatus.REFERRED:
        referral = referrals.current_referral(c)
        if referral is not None:
            return referral.agency.name_th if referral.agency_id else referral.to_town_name
    return c.department.name_th if c.department else None


def _public_cases():
    """The requests Open311 may show, under the public board's rules (services/complaints/board.py):
    a private category's request only when its community has a point to pin it to."""
    return (
        Complaint.objects.select_related("category", "department", "community")
        .prefetch_related("events__by")
        .filter(Q(category__is_private=False) | Q(community__latitude__isnull=False, community__longitude__isnull=False))
    )


def _public_note(event) -> str:
    """The words of a public timeline line that anyone may read: an officer's, never the reporter's
    (a reopening reason is about the reporter); otherwise the status it reached."""
    if event.text and event.by is not None and event.by.kind == "staff":
        return _public_text(event.text[:500])
    return str(ComplaintStatus(event.to_status).label) if event.to_status else ""


def _request_row(c: Complaint) -> dict:
    """One request as anyone may read it: no text or address typed by the citizen (it often carries
    a name, a house number, a phone), and a private category pinned to its community's point."""
    status = "closed" if c.status in OPEN311_CLOSED else "open"
    public_notes = [note for e in c.events.all() if e.is_public and (note := _public_note(e))]
    pin = board.pin_of(c)
    lat, long = pin if pin is not None else (None, None)
    return {
        "service_request_id": c.tracking_code,
        "status": status,
        "status_notes": public_notes[-1] if public_notes else c.get_status_display(),
        "service_name": c.category.name_th,
        "service_code": c.category.code,
        "description": None,
        "agency_responsible": _responsible(c),
        "service_notice": None,
        "requested_datetime": _iso(c.received_at),
        "updated_datetime": _iso(c.updated_at),
        "expected_datetime": _iso(c.due_at),
        "address": (c.community.name_th if c.community else None),
        "address_id": None,
        "zipcode": None,
        "lat": lat,
        "long": long,
        "media_url": None,
    }


def _parse_when(value: str, name: str) -> dt.datetime:
    parsed = parse_datetime(value.strip().replace(" ", "+")) if value else None
    if parsed is None:
        raise ValueError(f"{name} must be a W3C date-time, e.g. 2026-11-05T08:15:30+07:00")
    if timezone.is_naive(parsed):
        raise ValueError(f"{name} must include a time zone (Z or +07:00)")
    return parsed


def _window(params) -> tuple[dt.datetime, dt.datetime]:
    """start_date/end_date as the spec reads them: either may be missing, the span is at most 90
    days (DEFAULT_WINDOW back from now when neither is given). ValueError says what is wrong."""
    start = _parse_when(params["start_date"], "start_date") if params.get("start_date") else None
    end = _parse_when(params["end_date"], "end_date") if params.get("end_date") else None
    if start and end and end < start:
        raise ValueError("end_date is before start_date")
    try:
        if start is None and end is None:
            end = timezone.now()
            start = end - DEFAULT_WINDOW
        elif start is None:
            start = end - DEFAULT_WINDOW
        elif end is None:
            end = start + DEFAULT_WINDOW
    except OverflowError as exc:  # a window reaching past year 1 or 9999
        raise ValueError(
            "start_date and end_date must be between years 0001 and 9999 with room for the window"
        ) from exc
    if end - start > DEFAULT_WINDOW:
        raise ValueError("the date range may span at most 90 days")
    return start, end


def _list_requests(request, fmt: str):
    params = request.GET
    cases = _public_cases()
    ids = [i.strip().upper() for i in params.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        # The spec: with service_request_id every other parameter is ignored.
        cases = cases.filter(tracking_code__in=ids[:MAX_RESULTS])
        return respond(fmt, [_request_row(c) for c in cases], root="service_requests", item="request")
    try:
        start, end = _window(params)
    except ValueError as exc:
        return error(fmt, 400, str(exc))
    cases = cases.filter(received_at__gte=start, received_at__lte=end)
    codes = [c.strip() for c in params.get("service_code", "").split(",") if c.strip()]
    if codes:
        cases = cases.filter(category__code__in=codes)
    statuses = {s.strip().lower() for s in params.get("status", "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        return error(fmt, 400, "status must be open, closed or both")
    if statuses == {"open"}:
        cases = cases.filter(Q(status__in=OPEN_STATUSES))
    elif statuses == {"closed"}:
        cases = cases.filter(status__in=OPEN311_CLOSED)
    rows = [_request_row(c) for c in cases.order_by("-received_at")[:MAX_RESULTS]]
    return respond(fmt, rows, root="service_requests", item="request")


def _create_request(request, fmt: str):
    client = actions.client_for_key(request.POST.get("api_key", ""))
    if client is None:
        return error(fmt, 403, "api_key is missing or invalid")
    code = request.POST.get("service_code", "").strip()
    if not code:
        return error(fmt, 400, "service_code is required")
    category = Category.objects.filter(code=code, is_active=True).prefetch_related("attributes").first()
    if category is None:
        return error(fmt, 404, f"service_code {code} not found")
    if not request.POST.get("lat") or not request.POST.get("long"):
        return error(
            fmt, 400, "lat and long are required (address-only requests cannot be placed in this town)"
        )
    try:
        latitude = parse_coordinate(request.POST["lat"], low=-90, high=90, name="lat")
        longitude = parse_coordinate(request.POST["long"], low=-180, high=180, name="long")
    except ValidationError:
        return error(fmt, 400, "lat and long must be decimal degrees")
    answers, invalid = actions.attribute_answers(category, request.POST)
    if invalid:
        return error(fmt, 400, "attribute missing or invalid: " + ", ".join(invalid))
    name = " ".join(
        p
        for p in (request.POST.get("first_name", "").strip(), request.POST.get("last_name", "").strip())
        if p
    )
    phone, email = request.POST.get("phone", "").strip(), request.POST.get("email", "").strip()
    anonymous = not (name and (phone or email))
    uploads = []
    if media_url := request.POST.get("media_url", "").strip():
        try:
            content, content_type, file_name = safe_fetch.fetch(
                media_url, max_bytes=photos.MAX_UPLOAD_BYTES, allowed_types=MEDIA_TYPES
            )
        except safe_fetch.FetchRefused as exc:
            return error(fmt, 400, str(exc))
        # The same photo checks as a photo filed on the web form (size, pixels, re-encoded, GPS dropped).
        uploads.append(SimpleUploadedFile(file_name, content, content_type=content_type))
    filing = actions.Filing(
        category=category,
        description=request.POST.get("description", ""),
        latitude=latitude,
        longitude=longitude,
        address_text=request.POST.get("address_string", ""),
        reporter_name=name[:200],
        reporter_phone=phone,
        reporter_email=email[:254],
        is_anonymous=anonymous,
        attributes=answers,
        consent=True,
    )
    try:
        complaint = actions.submit_complaint(
            filing=filing,
            channel=Complaint.Channel.OPEN311,
            uploads=uploads,
            ip=request.META.get("REMOTE_ADDR", ""),
            open311_client=client,
        )
    except ValidationError as exc:
        description = (
            "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            if hasattr(exc, "error_dict")
            else " ".join(exc.messages)
        )
        if hasattr(exc, "error_dict") and "location" in exc.error_dict:
            for offer in referrals.neighbour_offers(latitude=latitude, longitude=longitude, category_code=code):
                # The pin is in a neighbour on the platform: say where to send it instead.
                description += (
                    f"; เรื่องนี้อยู่ในพื้นที่ของ{offer.town.name_th} — แจ้งที่ {offer.town.host}"
                    f" (this location is in {offer.town.name_en or offer.town.name_th}:"
                    f" POST to {absolute_url(offer.town.host, '/open311/v2/requests.' + fmt)})"
                )
        return error(fmt, 400, description)
    except actions.RateLimited:
        return error(fmt, 429, "too many requests; try again later")
    except TransitionNotAllowed as exc:  # pragma: no cover - filing never transitions
        return error(fmt, 400, str(exc))
    row = {
        "service_request_id": complaint.tracking_code,
        "token": complaint.access_token,
        "service_notice": f"ติดตามเรื่องได้ที่ /complaints/track/{complaint.tracking_code}/",
        "account_id": None,
    }
    return respond(fmt, [row], root="service_requests", item="request", status=201)


# FixMyStreet's status words for updates (its Open311 update extension), from ours.
UPDATE_STATUS = {
    ComplaintStatus.RECEIVED: "open",
    ComplaintStatus.ACCEPTED: "investigating",
    ComplaintStatus.ASSIGNED: "action_scheduled",
    ComplaintStatus.IN_PROGRESS: "in_progress",
    ComplaintStatus.RESOLVED: "fixed",
    ComplaintStatus.CLOSED: "closed",
    ComplaintStatus.REJECTED: "no_further_action",
    ComplaintStatus.MERGED: "duplicate",
    ComplaintStatus.REOPENED: "reopen",
    ComplaintStatus.REFERRED: "not_councils_responsibility",
}
UPDATE_KINDS = (ComplaintEvent.Kind.STATUS, ComplaintEvent.Kind.PUBLIC_REPLY)


def service_request_updates(request, fmt: str):
    """GET servicerequestupdates.{fmt}: the public timeline lines (status changes and officers'
    replies) made between start_date and end_date — the extension FixMyStreet and other Open311
    servers poll to bring status changes back to the citizen. Same visibility as requests."""
    if (refusal := _guard(fmt, request)) is not None:
        return refusal
    if request.method != "GET":
        return error(fmt, 405, "method not allowed")
    try:
        start, end = _window(request.GET)
    except ValueError as exc:
        return error(fmt, 400, str(exc))
    events = (
        ComplaintEvent.objects.filter(
            complaint__in=_public_cases(), kind__in=UPDATE_KINDS, is_public=True,
            created_at__gte=start, created_at__lte=end,
        )
        .select_related("complaint", "by")
        .order_by("created_at", "pk")[:MAX_RESULTS]
    )
    rows = []
    for event in events:
        status_now = event.to_status or event.complaint.status
        rows.append(
            {
                "update_id": str(event.pk),
                "service_request_id": event.complaint.tracking_code,
                "status": UPDATE_STATUS.get(status_now, "open"),
                "updated_datetime": _iso(event.created_at),
                "description": _public_note(event) or None,
                "media_url": None,
            }
        )
    return respond(fmt, rows, root="service_requests_updates", item="request_update")


def not_found(request, fmt: str = ""):
    """Any other path under /open311/: the spec's error list, never the site's HTML page."""
    return error(_format_of(request.path), 404, f"no such Open311 resource: {request.path[:200]}")


def _format_of(path: str) -> str:
    return "xml" if path.rstrip("/").lower().endswith(".xml") else "json"


def _wants_open311(request) -> bool:
    return request.path.startswith("/open311/")


def handle_404(request, exception=None):
    """The town's 404 handler: Open311's shape under /open311/, the site's page elsewhere."""
    if _wants_open311(request):
        return not_found(request)
    return common_views.page_not_found(request, exception)


def handle_403(request, exception=None):
    if _wants_open311(request):
        return error(_format_of(request.path), 403, "forbidden")
    return common_views.permission_denied(request, exception)


def handle_500(request):
    if _wants_open311(request):
        response = common_views.server_error(request)
        status = 503 if response.status_code == 503 else 500
        return error(_format_of(request.path), status, "the server could not answer; try again later")
    return common_views.server_error(request)


@csrf_exempt
def requests(request, fmt: str):
    if (refusal := _guard(fmt, request)) is not None:
        return refusal
    if request.method == "POST":
        return _create_request(request, fmt)
    if request.method == "GET":
        return _list_requests(request, fmt)
    return error(fmt, 405, "method not allowed")


def single_request(request, service_request_id: str, fmt: str):
    if (refusal := _guard(fmt, request)) is not None:
        return refusal
    complaint = _public_cases().filter(tracking_code=service_request_id.upper()).first()
    if complaint is None:
        return error(fmt, 404, f"service_request_id {service_request_id} not found")
    return respond(fmt, [_request_row(complaint)], root="service_requests", item="request")


def token(request, token: str, fmt: str):
    if (refusal := _guard(fmt, request)) is not None:
        return refusal
    complaint = Complaint.objects.filter(access_token=token).only("tracking_code", "access_token").first()
    if complaint is None:
        return error(fmt, 404, "token not found")
    return respond(
        fmt,
        [{"service_request_id": complaint.tracking_code, "token": complaint.access_token}],
        root="service_requests",
        item="request",
    )
