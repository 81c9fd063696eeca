"""Staff back-office: inbox and queues, case page with triage/assign/work actions, filing on behalf,
dashboard with CSV/Excel export, and the OSS settings (calendar, categories, Open311 keys, LINE)."""

from __future__ import annotations

import datetime as dt

from auditlog.signals import accessed
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from services.accounts.models import Department
from services.common.next_steps import next_steps
from services.common.views import backoffice_menu, staff_required
from services.common.workflow import TransitionNotAllowed, allowed_targets

from .. import actions, exports, selectors
from ..forms import (
    AcceptForm,
    AssignForm,
    CategoryAttributeFormSet,
    CategoryForm,
    HolidayForm,
    MergeForm,
    Open311ClientForm,
    OssSettingsForm,
    RecategoriseForm,
    RejectForm,
    ResolveForm,
    StaffComplaintForm,
    TextForm,
)
from ..models import Category, Community, Complaint, Holiday, Open311Client, OssSettings
from ..periods import page_period
from ..sla import BANGKOK, WorkingCalendar, seed_holidays
from ..workflow import TRANSITIONS, ComplaintStatus
from .portal import PDPA_CONSENT_TEXT, apply_form_errors, filing_from_form, map_context, neighbour_offers_for

S = ComplaintStatus


def staff_page(request, template: str, context: dict, status: int = 200):
    context.setdefault("backoffice_menu", backoffice_menu(request.user))
    return render(request, template, context, status=status)


def _posted_pk(request, name: str) -> int | None:
    """A row id from a settings button; anything that is not one matches no row (never a 500)."""
    raw = str(request.POST.get(name, "")).strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None


def need_permission(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


@staff_required
def inbox(request):
    if not request.user.has_perm("complaints.view_complaint") and not request.user.has_perm(
        "complaints.file_on_behalf"
    ):
        raise PermissionDenied
    filters = selectors.InboxFilter.from_params(request.GET)
    cases = selectors.inbox(user=request.user, filters=filters)
    view = request.GET.get("view", "list")
    page = Paginator(cases, 30).get_page(request.GET.get("page"))
    calendar = WorkingCalendar.for_town()
    for complaint in page:
        complaint.remaining_hours = selectors.remaining_working_hours(complaint, calendar)
    points = []
    if view == "map":
        points = [
            {
                "lat": float(c.latitude),
                "lon": float(c.longitude),
                "icon": c.category.icon,
                "category": f"{c.tracking_code} {c.category.name_th}",
            }
            for c in cases[:1000]
        ]
    return staff_page(
        request,
        "complaints/staff/inbox.html",
        {
            "page": page,
            "filters": filters,
            "view": view,
            "points": points,
            "boundary": request.town.boundary,
            "statuses": S.choices,
            "channels": Complaint.Channel.choices,
            "categories": Category.objects.all(),
            "communities": selectors.active_communities(),
            "departments": Department.objects.filter(is_active=True),
            "now": timezone.now(),
        },
    )


def _case_or_404(request, pk: int) -> Complaint:
    complaint = selectors.complaint_for_staff(user=request.user, complaint_id=pk)
    if complaint is None:
        raise Http404
    return complaint


@staff_required
def detail(request, pk: int):
    complaint = _case_or_404(request, pk)
    return _detail_page(request, complaint)


def _detail_page(request, complaint: Complaint, *, status: int = 200, resolve_form=None):
    # PDPA: every staff view of a case with the reporter's personal data is logged (auditlog ACCESS).
    accessed.send(sender=Complaint, instance=complaint)
    user = request.user
    targets = allowed_targets(complaint.status, TRANSITIONS)
    calendar = WorkingCalendar.for_town()
    return staff_page(
        request,
        "complaints/staff/detail.html",
        {
            "complaint": complaint,
            "timeline": selectors.staff_timeline(complaint),
            "reporter_messages": selectors.messages_to_reporter(complaint),
            "photos": selectors.photos_of(complaint),
            "duplicates": selectors.duplicate_candidates(complaint)
            if complaint.status in (S.RECEIVED, S.ACCEPTED)
            else [],
            "remaining_hours": selectors.remaining_working_hours(complaint, calendar),
            "can_triage": user.has_perm("complaints.triage_complaint") and S.ACCEPTED in targets,
            "can_assign": user.has_perm("complaints.assign_complaint") and S.ASSIGNED in targets,
            "can_start": user.has_perm("complaints.work_complaint") and S.IN_PROGRESS in targets,
            "can_resolve": user.has_perm("complaints.work_complaint") and S.RESOLVED in targets,
            "can_recategorise": user.has_perm("complaints.triage_complaint") and complaint.is_open,
            "accept_form": AcceptForm(initial={"department": complaint.department}),
            "reject_form": RejectForm(),
            "assign_form": AssignForm(
                officers=selectors.officers_for_assignment(by=user, complaint=complaint)
            ),
            "resolve_form": resolve_form or ResolveForm(),
            "after_photo_max_distance_m": OssSettings.current().after_photo_max_distance_m,
            "reply_form": TextForm(),
            "note_form": TextForm(),
            "recategorise_form": RecategoriseForm(initial={"category": complaint.category}),
            "merge_form": MergeForm(),
            "next_steps": next_steps(
                current=complaint.status,
                transitions=TRANSITIONS,
                labels=lambda status: S(status).label,
                user=user,
                unpermissioned={
                    S.CLOSED: _("ผู้แจ้งยืนยัน หรือระบบปิดเมื่อครบ 7 วัน (the reporter, or the system after 7 days)"),
                    S.REOPENED: _("ผู้แจ้ง (the reporter)"),
                },
            ),
        },
        status=status,
    )


def run_on_case(request, pk: int, fn) -> object:
    """Call one action for a case the user can see; turn refusals into messages, never 500s."""
    complaint = _case_or_404(request, pk)
    try:
        fn(complaint)
    except (ValidationError, TransitionNotAllowed) as exc:
        messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("คุณไม่มีสิทธิ์ทำรายการนี้ (You may not do this)"))
    else:
        messages.success(request, _("บันทึกแล้ว (Saved)"))
    return redirect("complaints:detail", complaint.pk)


def form_data_or_error(form):
    if not form.is_valid():
        raise ValidationError(
            [
                f"{form.fields[k].label if k in form.fields else ''}: {' '.join(v)}"
                for k, v in form.errors.items()
            ]
        )
    return form.cleaned_data


@staff_required
@require_POST
def accept(request, pk: int):
    def go(c):
        data = form_data_or_error(AcceptForm(request.POST))
        actions.accept_complaint(
            complaint_id=c.pk, by=request.user, department=data["department"], note=data["note"]
        )

    return run_on_case(request, pk, go)


@staff_required
@require_POST
def reject(request, pk: int):
    def go(c):
        data = form_data_or_error(RejectForm(request.POST))
        actions.reject_complaint(complaint_id=c.pk, by=request.user, reason=data["reason"])

    return run_on_case(request, pk, go)


@staff_required
@require_POST
def merge(request, pk: int):
    def go(c):
        data = form_data_or_error(MergeForm(request.POST))
        target = Complaint.objects.filter(tracking_code=data["into"].strip().upper()).first()
        if target is None:
            raise ValidationError(_("ไม่พบเลขติดตามเรื่องนี้ (No such tracking code)"))
        actions.merge_complaint(complaint_id=c.pk, into_id=target.pk, by=request.user)

    return run_on_case(request, pk, go)


@staff_required
@require_POST
def recategorise(request, pk: int):
    def go(c):
        data = form_data_or_error(RecategoriseForm(request.POST))
        actions.recategorise_complaint(complaint_id=c.pk, by=request.user, category=data["category"])

    return run_on_case(request, pk, go)


@staff_required
@require_POST
def assign(request, pk: int):
    def go(c):
        form = AssignForm(
            request.POST, officers=selectors.officers_for_assignment(by=request.user, complaint=c)
        )
        data = form_data_or_error(form)
        actions.assign_complaint(
            complaint_id=c.pk, by=request.user, officer=data["officer"], note=data["note"]
        )

    return run_on_case(request, pk, go)


@staff_required
@require_POST
def start(request, pk: int):
    return run_on_case(request, pk, lambda c: actions.start_work(complaint_id=c.pk, by=request.user))


@staff_required
@require_POST
def resolve(request, pk: int):
    """Resolve with the "after" evidence. A refusal (no photo where required, not an image, too old,
    too far without a reason) re-renders the case page with a 400 and the officer's text kept."""
    complaint = _case_or_404(request, pk)
    form = ResolveForm(request.POST, request.FILES)
    try:
        data = form_data_or_error(form)
        actions.resolve_complaint(
            complaint_id=complaint.pk,
            by=request.user,
            reply=data["reply"],
            after_photos=data["photos"],
            photo_exception_reason=data["photo_exception_reason"],
        )
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return _detail_page(request, complaint, status=400, resolve_form=form)
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
        return _detail_page(request, complaint, status=409, resolve_form=form)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("คุณไม่มีสิทธิ์ทำรายการนี้ (You may not do this)"))
        return _detail_page(request, complaint, status=403, resolve_form=form)
    messages.success(request, _("บันทึกแล้ว (Saved)"))
    return redirect("complaints:detail", complaint.pk)


@staff_required
@require_POST
def reply(request, pk: int):
    def go(c):
        data = form_data_or_error(TextForm(request.POST))
        actions.add_public_reply(complaint_id=c.pk, by=request.user, text=data["text"])

    return run_on_case(request, pk, go)


@staff_required
@require_POST
def note(request, pk: int):
    def go(c):
        data = form_data_or_error(TextForm(request.POST))
        actions.add_internal_note(complaint_id=c.pk, by=request.user, text=data["text"])

    return run_on_case(request, pk, go)


@staff_required
def staff_file(request):
    """Walk-in, phone and B-Buddy filing: the resident's details, recorded as filed by this person."""
    need_permission(request, "complaints.file_on_behalf")
    initial = {"channel": Complaint.Channel.BBUDDY} if request.user.has_role("bbuddy_volunteer") else {}
    form = StaffComplaintForm(request.POST or None, request.FILES or None, initial=initial)
    offers = []
    if request.method == "POST" and form.is_valid():
        try:
            filing = filing_from_form(form)
            filing.attributes, invalid = actions.attribute_answers(filing.category, request.POST)
            if invalid:
                raise ValidationError(
                    {"attributes": [_("กรุณาตอบคำถามเพิ่มเติมให้ครบ (Answer the extra questions)")]}
                )
            complaint = actions.submit_complaint(
                filing=filing,
                channel=form.cleaned_data["channel"],
                uploads=form.cleaned_data["photos"],
                by=request.user,
            )
        except ValidationError as exc:
            apply_form_errors(form, exc)
            # A spot in a neighbouring town on the platform: say which, so the caller is sent there.
            offers = neighbour_offers_for(form, exc)
        else:
            messages.success(
                request, _("บันทึกเรื่อง %(code)s แล้ว แจ้งเลขนี้ให้ผู้แจ้งทราบ") % {"code": complaint.tracking_code}
            )
            if request.user.has_perm("complaints.view_complaint"):
                return redirect("complaints:detail", complaint.pk)
            return redirect("complaints:staff_file")
    status = 400 if request.method == "POST" else 200
    return staff_page(
        request,
        "complaints/staff/file.html",
        {
            "form": form,
            "consent_text": PDPA_CONSENT_TEXT,
            "offers": offers,
            "filed": selectors.inbox(user=request.user, filters=selectors.InboxFilter(queue="filed"))[:20],
            **map_context(request),
        },
        status=status,
    )


@staff_required
def dashboard(request):
    need_permission(request, "complaints.view_oss_dashboard")
    since, until = page_period(request.GET)
    oss = OssSettings.current()
    data = selectors.dashboard(
        since=since, until=until, baseline_days=oss.baseline_days, went_live_on=oss.went_live_on
    )
    return staff_page(
        request,
        "complaints/staff/dashboard.html",
        {"data": data, "since": since, "until": until, "boundary": request.town.boundary},
    )


@staff_required
def export(request, fmt: str):
    need_permission(request, "complaints.export_complaints")
    since, until = page_period(request.GET)
    filters = selectors.InboxFilter.from_params(request.GET)
    start = dt.datetime.combine(since, dt.time.min, BANGKOK)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, BANGKOK)
    cases = selectors.inbox(user=request.user, filters=filters).filter(
        received_at__gte=start, received_at__lt=end
    )
    name = f"complaints-{request.town.short_code}-{since:%Y%m%d}-{until:%Y%m%d}"
    if fmt == "xlsx":
        return exports.xlsx_response(cases, filename=f"{name}.xlsx")
    return exports.csv_response(cases, filename=f"{name}.csv")


@staff_required
def settings_page(request):
    need_permission(request, "complaints.manage_oss_settings")
    current = OssSettings.current()
    form = OssSettingsForm(request.POST or None, instance=current, prefix="s")
    holiday_form = HolidayForm(prefix="h")
    client_form = Open311ClientForm(prefix="c")
    new_key = None
    if request.method == "POST":
        which = request.POST.get("form")
        if which == "settings" and form.is_valid():
            form.save()
            messages.success(request, _("บันทึกแล้ว (Saved)"))
            return redirect("complaints:settings")
        if which == "holiday":
            holiday_form = HolidayForm(request.POST, prefix="h")
            if holiday_form.is_valid():
                Holiday.objects.update_or_create(
                    date=holiday_form.cleaned_data["date"],
                    defaults={"name": holiday_form.cleaned_data["name"], "is_active": True},
                )
                messages.success(request, _("เพิ่มวันหยุดแล้ว (Holiday added)"))
                return redirect("complaints:settings")
        if which == "toggle_holiday":
            day = Holiday.objects.filter(pk=_posted_pk(request, "holiday")).first()
            if day is not None:
                day.is_active = not day.is_active
                day.save(update_fields=["is_active"])
            return redirect("complaints:settings")
        if which == "community":
            name = request.POST.get("name", "").strip()[:200]
            if name:
                Community.objects.get_or_create(name_th=name)
                messages.success(request, _("เพิ่มชุมชนแล้ว (Community added)"))
            return redirect("complaints:settings")
        if which == "community_location":
            community = Community.objects.filter(pk=_posted_pk(request, "community")).first()
            if community is not None:
                try:
                    actions.set_community_location(
                        community_id=community.pk,
                        by=request.user,
                        latitude=request.POST.get("latitude", ""),
                        longitude=request.POST.get("longitude", ""),
                    )
                    messages.success(request, _("บันทึกตำแหน่งชุมชนแล้ว (Community location saved)"))
                except ValidationError as exc:
                    messages.error(request, " ".join(str(m) for m in exc.messages))
            return redirect("complaints:settings")
        if which == "toggle_community":
            community = Community.objects.filter(pk=_posted_pk(request, "community")).first()
            if community is not None:
                community.is_active = not community.is_active
                community.save(update_fields=["is_active"])
            return redirect("complaints:settings")
        if which == "client":
            client_form = Open311ClientForm(request.POST, prefix="c")
            if client_form.is_valid():
                _client, new_key = actions.issue_open311_key(by=request.user, **client_form.cleaned_data)
                client_form = Open311ClientForm(prefix="c")
        if which == "revoke":
            actions.revoke_open311_key(client_id=int(request.POST.get("client", "0") or 0), by=request.user)
            return redirect("complaints:settings")
    year = timezone.now().astimezone(BANGKOK).year
    seed_holidays(year)
    seed_holidays(year + 1)
    return staff_page(
        request,
        "complaints/staff/settings.html",
        {
            "form": form,
            "holiday_form": holiday_form,
            "client_form": client_form,
            "new_key": new_key,
            "holidays": Holiday.objects.filter(date__year__in=[year, year + 1]),
            "clients": Open311Client.objects.all(),
            "communities": Community.objects.all(),
            "categories": Category.objects.select_related("department"),
        },
        # A POST that ends here was refused (a form with errors), except the key just issued:
        # it is shown once on this page, so the page answers 201 rather than redirecting.
        status=201 if new_key else (400 if request.method == "POST" else 200),
    )


@staff_required
def category_edit(request, pk: int | None = None):
    need_permission(request, "complaints.manage_oss_settings")
    category = get_object_or_404(Category, pk=pk) if pk else None
    form = CategoryForm(request.POST or None, instance=category)
    attributes = CategoryAttributeFormSet(
        request.POST or None, instance=category or Category(), prefix="attr"
    )
    if request.method == "POST" and form.is_valid() and attributes.is_valid():
        with transaction.atomic():
            saved = form.save()
            attributes.instance = saved
            attributes.save()
        messages.success(request, _("บันทึกแล้ว (Saved)"))
        return redirect("complaints:settings")
    return staff_page(
        request,
        "complaints/staff/category_form.html",
        {"form": form, "category": category, "attributes": attributes},
        status=400 if request.method == "POST" else 200,
    )
