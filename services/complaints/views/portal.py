"""Citizen pages: file a complaint, track it (code + last 4 phone digits), confirm/rate or reopen,
"my requests", and the public transparency page. No account needed."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST

from services.common.files.views import file_response
from services.common.workflow import TransitionNotAllowed

from .. import actions, rate_limit, referrals, selectors
from ..actions.filing import filed_with_key, submit_complaint_once
from ..forms import PDPA_CONSENT_TEXT, ComplaintForm, ConfirmForm, ReopenForm, TrackLookupForm
from ..geo import parse_coordinate
from ..models import Complaint, ComplaintPhoto, OssSettings
from ..sla import WorkingCalendar
from ..workflow import ComplaintStatus

SESSION_KEY = "oss_tracking_access"
LOOKUPS_PER_IP_PER_10_MIN = 20


def _grant(request, complaint: Complaint) -> None:
    allowed = [pk for pk in request.session.get(SESSION_KEY, []) if pk != complaint.pk][-19:]
    request.session[SESSION_KEY] = [*allowed, complaint.pk]


def _may_view(request, complaint: Complaint) -> bool:
    if complaint.pk in request.session.get(SESSION_KEY, []):
        return True
    user = request.user
    return bool(user.is_authenticated and complaint.reporter_user_id == user.pk)


def apply_form_errors(form, exc: ValidationError) -> None:
    """Put an action's ValidationError on the form's fields (or on the form when it has no such field)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def filing_from_form(form) -> actions.Filing:
    data = form.cleaned_data
    latitude = longitude = None
    raw_lat, raw_lon = data.get("latitude", ""), data.get("longitude", "")
    if raw_lat or raw_lon:
        latitude = parse_coordinate(raw_lat, low=-90, high=90, name="location")
        longitude = parse_coordinate(raw_lon, low=-180, high=180, name="location")
    return actions.Filing(
        category=data["category"],
        description=data["description"],
        latitude=latitude,
        longitude=longitude,
        community=data.get("community"),
        address_text=data.get("address_text", ""),
        reporter_name=data.get("reporter_name", ""),
        reporter_phone=data.get("reporter_phone", ""),
        reporter_email=data.get("reporter_email", ""),
        is_anonymous=data.get("is_anonymous", False),
        consent=data.get("consent", False),
        filing_key=data.get("filing_key"),
    )


def map_context(request) -> dict:
    categories = selectors.active_categories().filter(attributes__isnull=False).distinct()
    return {
        "boundary": request.town.boundary,
        "attribute_categories": categories.prefetch_related("attributes"),
    }


def portal(request):
    return render(
        request,
        "complaints/portal.html",
        {"track_form": TrackLookupForm(), "board_enabled": OssSettings.current().public_board_enabled},
    )


CATEGORY_CHANGED = "category_changed"


def _wants_json(request) -> bool:
    """The page's draft sender (offline drafts, Background Sync) asks for JSON; a plain form post gets HTML."""
    return "application/json" in request.headers.get("Accept", "")


def _filed(request, complaint: Complaint, *, repeat: bool):
    _grant(request, complaint)
    url = reverse("complaints:track", args=[complaint.tracking_code]) + "?filed=1"
    if _wants_json(request):
        return JsonResponse(
            {"tracking_code": complaint.tracking_code, "url": url, "repeat": repeat}, status=200 if repeat else 201
        )
    return redirect(url)


def _posted_filing_key(request) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(request.POST.get("filing_key", "")))
    except ValueError:
        return None


def _refusal(form, status: int):
    """The form's errors as JSON for the draft sender; a chosen category the town no longer offers
    gets its own code so the phone keeps the draft and asks for a new category."""
    errors = {name: [str(m) for m in messages_] for name, messages_ in form.errors.items()}
    code = ""
    if "category" in errors and form.data.get("category"):
        code = CATEGORY_CHANGED
    return JsonResponse(
        {"errors": errors, "code": code, "message": " ".join(m for ms in errors.values() for m in ms)}, status=status
    )


def file_complaint(request):
    # A neighbour's offer link carries the pin and category (referrals.neighbour_offers).
    initial = referrals.filing_initial(request.GET) if request.method == "GET" else {}
    if request.method == "POST":
        # A draft sent again (its first answer was lost, or the page and Background Sync both sent
        # it) gets the case it already became, even if the town changed its categories since.
        already = filed_with_key(_posted_filing_key(request))
        if already is not None:
            return _filed(request, already, repeat=True)
    form = ComplaintForm(request.POST or None, request.FILES or None, initial=initial)
    status = 200
    offers = []
    if request.method == "POST":
        if form.is_valid():
            try:
                filing = filing_from_form(form)
                filing.attributes, invalid = actions.attribute_answers(filing.category, request.POST)
                if invalid:
                    raise ValidationError(
                        {"attributes": [_("กรุณาตอบคำถามเพิ่มเติมให้ครบและถูกต้อง (Answer the extra questions)")]}
                    )
                if request.user.is_authenticated and not filing.reporter_phone and request.user.phone:
                    filing.reporter_phone = request.user.phone
                complaint, created = submit_complaint_once(
                    filing=filing,
                    channel=Complaint.Channel.WEB,
                    uploads=form.cleaned_data["photos"],
                    by=request.user,
                    ip=rate_limit.client_ip(request),
                )
            except ValidationError as exc:
                apply_form_errors(form, exc)
                offers = neighbour_offers_for(form, exc)
            except actions.RateLimited:
                form.add_error(None, actions.RateLimited.message)
                status = 429
            else:
                return _filed(request, complaint, repeat=not created)
        if status == 200:
            status = 400
        if "category" in form.errors and form.data.get("category"):
            form.errors["category"] = form.error_class([
                _(
                    "ประเภทเรื่องที่เลือกไว้ถูกเปลี่ยนหรือปิดใช้แล้ว กรุณาเลือกประเภทใหม่ ร่างของท่านยังเก็บไว้ "
                    "(The town has changed its categories since this was written; choose a category again — "
                    "your draft is kept)"
                )
            ])
        if _wants_json(request):
            return _refusal(form, status)
    return render(
        request,
        "complaints/file.html",
        {"form": form, "consent_text": PDPA_CONSENT_TEXT, "offers": offers, **map_context(request)},
        status=status,
    )


@require_GET
@never_cache
@ensure_csrf_cookie
def filing_token(request):
    """A fresh CSRF token for a draft written offline: the form the phone kept may be days old."""
    return JsonResponse({"csrf": get_token(request)})


def neighbour_offers_for(form, exc: ValidationError) -> list:
    """When the pin was refused as outside this town, the live towns that cover it."""
    if not hasattr(exc, "error_dict") or "location" not in exc.error_dict:
        return []
    try:
        latitude = parse_coordinate(form.cleaned_data.get("latitude", ""), low=-90, high=90, name="location")
        longitude = parse_coordinate(form.cleaned_data.get("longitude", ""), low=-180, high=180, name="location")
    except ValidationError:
        return []
    category = form.cleaned_data.get("category")
    return referrals.neighbour_offers(
        latitude=latitude, longitude=longitude, category_code=category.code if category else ""
    )


def track_lookup(request):
    # Bound on every POST, even one with no text fields: an unbound form cannot take add_error().
    form = TrackLookupForm(
        request.POST if request.method == "POST" else None, initial={"tracking_code": request.GET.get("code", "")}
    )
    status = 200
    if request.method == "POST":
        if not rate_limit.hit(
            "lookup", rate_limit.client_ip(request), limit=LOOKUPS_PER_IP_PER_10_MIN, window_seconds=600
        ):
            form.add_error(None, _("ค้นหาบ่อยเกินไป กรุณารอ 10 นาที (Too many look-ups; wait 10 minutes)"))
            status = 429
        elif form.is_valid():
            complaint = selectors.complaint_by_code_and_phone(
                tracking_code=form.cleaned_data["tracking_code"], phone_last4=form.cleaned_data["phone_last4"]
            )
            if complaint is not None:
                _grant(request, complaint)
                return redirect("complaints:track", complaint.tracking_code)
            # One message for "no such code" and "wrong digits": the page never confirms a code exists.
            form.add_error(
                None, _("ไม่พบเรื่องที่ตรงกับเลขติดตามและเบอร์โทรนี้ (No request matches this code and phone)")
            )
            status = 404
        else:
            status = 400
    return render(request, "complaints/track_lookup.html", {"form": form}, status=status)


def track(request, code: str):
    # get() on the unique code: no ORDER BY to compile (first() would order by the model's ordering,
    # and compiling that over two joined complaints was half the page's CPU time).
    try:
        complaint = Complaint.objects.select_related("category").get(tracking_code=code.upper())
    except Complaint.DoesNotExist:
        complaint = None
    if complaint is None or not _may_view(request, complaint):
        return redirect(reverse("complaints:track_lookup") + f"?code={code[:30]}")
    return _track_page(request, complaint)


def _track_page(request, complaint: Complaint, *, status: int = 200, confirm_form=None, reopen_form=None):
    calendar = WorkingCalendar.for_town()
    can_respond = complaint.status == ComplaintStatus.RESOLVED
    context = {
        "complaint": complaint,
        "public_part": _public_part(complaint),
        "just_filed": request.GET.get("filed") == "1",
        "remaining_hours": selectors.remaining_working_hours(complaint, calendar),
        "can_respond": can_respond,
        # Only a case that is with another body has a referral line (no query on other views).
        "referral": referrals.referral_for_reporter(complaint) if complaint.status == ComplaintStatus.REFERRED else None,
    }
    if can_respond:
        reopen_days = OssSettings.current().reopen_days
        context.update(
            confirm_form=confirm_form or ConfirmForm(),
            reopen_form=reopen_form or ReopenForm(),
            reopen_days=reopen_days,
            respond_until=complaint.resolved_at + dt.timedelta(days=reopen_days) if complaint.resolved_at else None,
        )
    return render(request, "complaints/track.html", context, status=status)


def track_link(request, token: str):
    """The reporter's link from the confirmation request (SMS, email, LINE): it carries the case's
    access token, grants this browser the case like the look-up does, and opens the tracking page.
    An unknown token is a 404; uses are rate-limited per IP (more loosely than the look-up)."""
    if not rate_limit.hit(
        "access-link", rate_limit.client_ip(request), limit=LOOKUPS_PER_IP_PER_10_MIN * 3, window_seconds=600
    ):
        messages.error(request, _("ค้นหาบ่อยเกินไป กรุณารอ 10 นาที (Too many look-ups; wait 10 minutes)"))
        return render(request, "complaints/track_lookup.html", {"form": TrackLookupForm()}, status=429)
    complaint = selectors.complaint_by_access_token(token[:40])
    if complaint is None:
        raise Http404
    _grant(request, complaint)
    return redirect(reverse("complaints:track", args=[complaint.tracking_code]) + "#respond")


def _public_part(complaint: Complaint) -> str:
    """Description, photos and public timeline, rendered once per version of the case.

    Every public change saves the complaint (status moves, replies), so `updated_at` versions the
    fragment; the time-dependent countdown stays outside it."""
    key = f"oss-track:{complaint.pk}:{complaint.updated_at.timestamp()}:{translation.get_language()}"
    html = cache.get(key)
    if html is None:
        timeline = selectors.public_timeline(complaint)
        report_photos = [p for e in timeline for p in e.photos.all() if p.kind == ComplaintPhoto.Kind.REPORT]
        html = render_to_string(
            "complaints/_track_public.html",
            {"complaint": complaint, "timeline": timeline, "report_photos": report_photos},
        )
        cache.set(key, html, 600)
    return mark_safe(html)  # noqa: S308 - rendered by our own autoescaping template just above


def _tracked(request, code: str) -> Complaint:
    complaint = Complaint.objects.filter(tracking_code=code.upper()).first()
    if complaint is None or not _may_view(request, complaint):
        raise Http404
    return complaint


@require_POST
def confirm(request, code: str):
    """The reporter confirms the fix and rates it. Only the reporter (tracking grant or own account):
    anyone else gets a 404. A bad rating is a 400; a case not awaiting a verdict (confirmed already,
    reopened, closed) a 409; nothing changes in either case."""
    complaint = _tracked(request, code)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("กรุณาให้คะแนน 1–5 (Rate from 1 to 5)"))
        return _track_page(request, complaint, status=400, confirm_form=form)
    try:
        actions.confirm_resolution(
            complaint_id=complaint.pk,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
        )
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return _track_page(request, complaint, status=400, confirm_form=form)
    except TransitionNotAllowed:
        messages.error(
            request,
            _("เรื่องนี้ไม่ได้รอการยืนยันผลแล้ว (This request is not awaiting your confirmation)"),
        )
        return _track_page(request, complaint, status=409)
    messages.success(request, _("ขอบคุณสำหรับการประเมิน เรื่องนี้ปิดแล้ว (Thank you; the request is closed)"))
    return redirect("complaints:track", complaint.tracking_code)


@require_POST
def reopen(request, code: str):
    """The reporter reopens within the period. Same access rule as confirm; a missing reason is a
    400, a case past the period or not resolved a 409."""
    complaint = _tracked(request, code)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("กรุณาระบุเหตุผล (Give a reason)"))
        return _track_page(request, complaint, status=400, reopen_form=form)
    try:
        actions.reopen_complaint(complaint_id=complaint.pk, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return _track_page(request, complaint, status=409, reopen_form=form)
    except TransitionNotAllowed:
        messages.error(
            request,
            _("เรื่องนี้ไม่ได้รอการยืนยันผลแล้ว (This request is not awaiting your confirmation)"),
        )
        return _track_page(request, complaint, status=409)
    messages.success(request, _("เปิดเรื่องใหม่แล้ว เจ้าหน้าที่จะดำเนินการต่อ (Reopened; staff will continue)"))
    return redirect("complaints:track", complaint.tracking_code)


def photo(request, code: str, public_id):
    """A photo of a case, for whoever may see the case (the reporter's session or staff)."""
    complaint = Complaint.objects.filter(tracking_code=code.upper()).first()
    if complaint is None:
        raise Http404
    staff_ok = (
        request.user.is_authenticated
        and selectors.complaint_for_staff(user=request.user, complaint_id=complaint.pk) is not None
    )
    if not (staff_ok or _may_view(request, complaint)):
        raise Http404
    item = complaint.photos.select_related("file").filter(file__public_id=public_id).first()
    if item is None:
        raise Http404
    return file_response(item.file, cache_control="private, max-age=3600", content_type="image/jpeg")


@login_required
def my_requests(request):
    page = Paginator(selectors.complaints_of_citizen(request.user), 20).get_page(request.GET.get("page"))
    for complaint in page:
        _grant(request, complaint)
    return render(request, "complaints/mine.html", {"page": page})


def transparency(request):
    data = selectors.transparency()
    return render(
        request,
        "complaints/transparency.html",
        {"data": data, "boundary": request.town.boundary, "points": data["points"]},
    )
