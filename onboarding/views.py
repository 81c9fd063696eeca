"""The onboarding wizard on the platform host (DGA admins only): drafts, seven steps, progress."""

from __future__ import annotations

import base64

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_GET, require_POST

from services.common.params import query_param

from . import actions, geography
from . import boundary as boundary_module
from .console import platform_admin_required
from .drafts import spec_from_draft
from .forms import (
    STEPS,
    AreaForm,
    BrandingForm,
    IdentityForm,
    PeopleForm,
    ServicesForm,
    StaffCsvForm,
    TestMessageForm,
    WebForm,
    check_subdomain_available,
    departments_to_text,
)
from .logo import process_logo
from .models import OnboardingDraft, ProvisioningJob
from .pipeline import STEPS as PIPELINE_STEPS
from .service_defaults import FEE_FIELDS, default_service_settings, service_labels
from .spec import SpecInvalid
from .staff_import import read_staff_csv, role_label

STEP_KEYS = {number: key for number, key, _th, _en in STEPS}
STEP_FOR_FIELD = {
    **dict.fromkeys(
        [
            "name_th",
            "name_en",
            "short_code",
            "kind",
            "lao_code",
            "province_code",
            "district_code",
            "tax_id",
            "address",
            "phone",
            "email",
        ],
        1,
    ),
    "slug": 2,
    "custom_domain": 2,
    "boundary": 3,
    "communities": 3,
    "services": 4,
    "departments": 5,
    "admin": 5,
    "staff": 5,
    "branding": 6,
}


def _draft(request, public_id) -> OnboardingDraft:
    draft = get_object_or_404(OnboardingDraft, public_id=public_id)
    if draft.status != OnboardingDraft.Status.OPEN and draft.job_id is None:
        raise Http404
    return draft


def _link_base(request) -> dict:
    host = request.get_host()
    port = host.rsplit(":", 1)[1] if ":" in host and not host.endswith("]") else None
    return {"scheme": request.scheme, "port": int(port) if port and port.isdigit() else None}


@platform_admin_required
def draft_list(request):
    """Open drafts of every DGA admin (several may be in progress) and recent provisioning jobs."""
    if request.method == "POST":
        draft = OnboardingDraft.objects.create(created_by=request.user)
        return redirect("onboarding:step", public_id=draft.public_id, number=1)
    drafts = OnboardingDraft.objects.filter(status=OnboardingDraft.Status.OPEN).select_related("created_by")
    jobs = ProvisioningJob.objects.select_related("municipality")[:20]
    return render(request, "onboarding/drafts.html", {"drafts": drafts, "jobs": jobs, "steps": STEPS})


@platform_admin_required
@require_POST
def discard(request, public_id):
    draft = _draft(request, public_id)
    actions.discard_draft(draft=draft)
    messages.info(request, "ลบร่างแล้ว (Draft discarded)")
    return redirect("onboarding:drafts")


def _initial(draft: OnboardingDraft, number: int) -> dict:
    data = draft.data.get(STEP_KEYS[number], {})
    if number == 3:
        return {"communities": "\n".join(data.get("communities", []))}
    if number == 4:
        tax_id = draft.data.get("identity", {}).get("tax_id", "")
        return ServicesForm.initial_from_settings(data or default_service_settings(tax_id))
    if number == 5:
        admin = data.get("admin", {})
        return {
            "departments": departments_to_text(data.get("departments", []))
            or "office | สำนักปลัด | Office of the Clerk\n"
            "finance | กองคลัง | Finance Division\n"
            "engineering | กองช่าง | Engineering Division\n"
            "health | กองสาธารณสุขและสิ่งแวดล้อม | Public Health Division",
            "admin_first_name": admin.get("first_name", ""),
            "admin_last_name": admin.get("last_name", ""),
            "admin_email": admin.get("email", ""),
            "admin_phone": admin.get("phone", ""),
        }
    return dict(data)


def _form(draft: OnboardingDraft, number: int, data=None, files=None):
    identity = draft.data.get("identity", {})
    if number == 1:
        form = IdentityForm(data, initial=_initial(draft, 1))
        form.fields["province_code"].widget.attrs.update(
            {
                "hx-get": reverse("onboarding:district_options"),
                "hx-target": "#id_district_code",
                "hx-trigger": "change",
            }
        )
        province = (data or {}).get("province_code") or form.initial.get("province_code")
        if province:
            form.fields["district_code"].choices = [("", "—"), *geography.districts_of(province)]
        return form
    if number == 2:
        form = WebForm(data, initial=_initial(draft, 2))
        form.fields["slug"].widget.attrs.update(
            {
                "hx-get": reverse("onboarding:subdomain_check"),
                "hx-target": "#subdomain-check",
                "hx-trigger": "input changed delay:400ms, load",
                "autocomplete": "off",
            }
        )
        return form
    if number == 3:
        return AreaForm(
            data,
            files,
            initial=_initial(draft, 3),
            current_boundary=draft.data.get("area", {}).get("boundary"),
        )
    if number == 4:
        return ServicesForm(data, initial=_initial(draft, 4), tax_id=identity.get("tax_id", ""))
    if number == 5:
        return PeopleForm(data, initial=_initial(draft, 5))
    if number == 6:
        return BrandingForm(data, files, initial=_initial(draft, 6))
    raise Http404


def _cleaned_for_storage(draft: OnboardingDraft, number: int, form) -> dict:
    data = form.cleaned_data
    if number == 1:
        return {k: v for k, v in data.items()}
    if number == 2:
        return dict(data)
    if number == 3:
        return {
            "boundary": data["boundary"],
            "area_km2": round(data["area_km2"], 3),
            "communities": data["communities_list"],
        }
    if number == 4:
        return data["settings"]
    if number == 5:
        previous = draft.data.get("people", {})
        return {
            "departments": data["departments"],
            "admin": {
                "first_name": data["admin_first_name"],
                "last_name": data["admin_last_name"],
                "email": data["admin_email"].lower(),
                "phone": data["admin_phone"],
                "department": "",
            },
            "staff": previous.get("staff", []),
        }
    if number == 6:
        stored = {k: data[k] for k in ("colour", "welcome_th", "welcome_en")}
        upload = data.get("logo")
        previous = draft.data.get("branding", {}).get("logo_png_b64")
        if upload:
            stored["logo_png_b64"] = base64.b64encode(process_logo(upload.read())).decode()
        elif previous:
            stored["logo_png_b64"] = previous
        return stored
    raise Http404


def _context(draft: OnboardingDraft, number: int, form, **extra) -> dict:
    context = {
        "draft": draft,
        "number": number,
        "form": form,
        "steps": STEPS,
        "step_title": next((th, en) for n, _k, th, en in STEPS if n == number),
        **extra,
    }
    area = draft.data.get("area", {})
    if number == 3 and area.get("boundary"):
        context["preview"] = boundary_module.svg_preview(area["boundary"])
        context["locator"] = boundary_module.locator(area["boundary"])
        context["area_km2"] = area.get("area_km2")
    if number == 4:
        context["test_form"] = extra.get("test_form") or TestMessageForm()
        context["fee_fields"] = [(f"{service}__{key}", service) for (service, key) in FEE_FIELDS]
        context["service_labels"] = service_labels()
    if number == 5:
        context["csv_form"] = extra.get("csv_form") or StaffCsvForm()
        context["staff"] = [
            dict(row, role_labels=[role_label(r) for r in row.get("roles", [])])
            for row in draft.data.get("people", {}).get("staff", [])
        ]
        context["pending"] = draft.pending_staff_import or None
    if number == 6:
        logo = draft.data.get("branding", {}).get("logo_png_b64")
        context["logo_data_url"] = f"data:image/png;base64,{logo}" if logo else None
    return context


@platform_admin_required
def step(request, public_id, number: int):
    draft = _draft(request, public_id)
    if draft.job_id:
        return redirect("onboarding:job", public_id=draft.job.public_id)
    if number < 1 or number > 7:
        raise Http404
    if number > draft.completed_step + 1:
        # Each step is validated before the next one opens.
        return redirect("onboarding:step", public_id=draft.public_id, number=draft.completed_step + 1)
    if number == 7:
        return review(request, draft)
    if (
        number == 5
        and request.method == "POST"
        and request.POST.get("action") in ("import_csv", "accept_valid", "clear_staff")
    ):
        return people_import(request, draft)
    if number == 4 and request.method == "POST" and request.POST.get("action") == "test_message":
        return test_message(request, draft)
    if request.method == "POST":
        form = _form(draft, number, request.POST, request.FILES)
        if form.is_valid():
            try:
                cleaned = _cleaned_for_storage(draft, number, form)
            except ValidationError as exc:
                form.add_error("logo", exc)
            else:
                actions.save_draft_step(draft=draft, step=number, key=STEP_KEYS[number], data=cleaned)
                if request.POST.get("leave"):
                    messages.success(
                        request, "บันทึกร่างแล้ว กลับมาทำต่อได้ภายหลัง (Draft saved; you can resume later)"
                    )
                    return redirect("onboarding:drafts")
                return redirect("onboarding:step", public_id=draft.public_id, number=number + 1)
        return render(request, "onboarding/step.html", _context(draft, number, form), status=400)
    return render(request, "onboarding/step.html", _context(draft, number, _form(draft, number)))


def test_message(request, draft: OnboardingDraft):
    """Step 4's test message: one message through the platform's outbox and its default provider
    (what the new town uses until it sets its own account), delivered at once; the provider's id
    or its refusal is shown."""
    import uuid

    from services.common import outbox

    form = TestMessageForm(request.POST)
    if not form.is_valid():
        context = _context(draft, 4, _form(draft, 4), test_form=form)
        return render(request, "onboarding/step.html", context, status=400)
    message = outbox.send_now(
        channel=form.cleaned_data["channel"], recipient=form.cleaned_data["to"].strip(),
        body=form.cleaned_data["text"], subject="ข้อความทดสอบ (test message)",
        key=f"wizard-test:{draft.public_id}:{request.user.pk}:{uuid.uuid4()}",
    )
    if message.status == message.Status.SENT:
        messages.success(request, f"ส่งแล้วผ่าน {message.provider} รหัส {message.provider_message_id or '-'} "
                                  f"(Sent via {message.provider}, id {message.provider_message_id or '-'})")
    else:
        messages.error(request, f"ส่งไม่สำเร็จ (Not sent) — {message.provider or message.channel}: {message.last_error}")
    return redirect("onboarding:step", public_id=draft.public_id, number=4)


def people_import(request, draft: OnboardingDraft):
    """Step 5's CSV upload: report every row; nothing joins the staff list until the whole file is
    valid or the admin confirms taking only the valid rows."""
    action = request.POST["action"]
    people = dict(draft.data.get("people", {}))
    csv_form = StaffCsvForm()
    if action == "clear_staff":
        people["staff"] = []
        draft.pending_staff_import = {}
    elif action == "accept_valid" and draft.pending_staff_import:
        rows = [r["data"] for r in draft.pending_staff_import.get("rows", []) if not r["errors"]]
        people["staff"] = _merge_staff(people.get("staff", []), rows)
        draft.pending_staff_import = {}
        messages.success(request, f"นำเข้า {len(rows)} รายชื่อ (Imported {len(rows)} valid rows)")
    elif action == "import_csv":
        csv_form = StaffCsvForm(request.POST, request.FILES)
        if csv_form.is_valid():
            departments = people.get("departments") or []
            if not departments:
                csv_form.add_error("staff_csv", "บันทึกรายการกอง/ส่วนก่อนนำเข้า (Save the departments first)")
            else:
                taken = {p["email"] for p in people.get("staff", [])} | {
                    people.get("admin", {}).get("email", "")
                }
                report = read_staff_csv(
                    csv_form.cleaned_data["staff_csv"].read(),
                    departments=departments,
                    existing_emails=taken - {""},
                )
                if report.is_valid:
                    people["staff"] = _merge_staff(people.get("staff", []), [r.data for r in report.rows])
                    draft.pending_staff_import = {}
                    messages.success(
                        request,
                        f"นำเข้า {len(report.rows)} รายชื่อ ({report.encoding}) "
                        f"(Imported {len(report.rows)} rows)",
                    )
                else:
                    draft.pending_staff_import = report.as_dict()
    draft.data = {**draft.data, "people": people}
    draft.save(update_fields=["data", "pending_staff_import", "updated_at"])
    form = _form(draft, 5)
    status = 400 if csv_form.errors else 200
    return render(request, "onboarding/step.html", _context(draft, 5, form, csv_form=csv_form), status=status)


def _merge_staff(current: list[dict], new: list[dict]) -> list[dict]:
    by_email = {row["email"]: row for row in current}
    for row in new:
        by_email[row["email"]] = row
    return list(by_email.values())


def review(request, draft: OnboardingDraft):
    spec = spec_from_draft(draft)
    errors: dict = {}
    if request.method == "POST":
        try:
            job = actions.submit_draft(draft=draft, by=request.user, link_base=_link_base(request))
        except SpecInvalid as exc:
            errors = exc.errors
        else:
            return redirect("onboarding:job", public_id=job.public_id)
    error_steps = sorted({STEP_FOR_FIELD.get(name.split(".")[0], 1) for name in errors})
    area = draft.data.get("area", {})
    return render(
        request,
        "onboarding/review.html",
        {
            "draft": draft,
            "number": 7,
            "steps": STEPS,
            "spec": spec,
            "errors": errors,
            "error_steps": error_steps,
            "area_km2": area.get("area_km2"),
            "preview": boundary_module.svg_preview(area["boundary"]) if area.get("boundary") else None,
            "service_labels": service_labels(),
            "step_title": ("ตรวจสอบและเปิดใช้งาน", "Review and go live"),
            "staff_count": len(spec.get("staff", [])),
        },
        status=400 if errors else 200,
    )


@platform_admin_required
def job_progress(request, public_id):
    job = get_object_or_404(ProvisioningJob.objects.select_related("municipality"), public_id=public_id)
    steps = [
        {"name": code, "th": th, "en": en, **(job.step(code) or {"state": "pending"})}
        for code, th, en in PIPELINE_STEPS
    ]
    context = {
        "job": job,
        "total_seconds": sum(s.get("seconds") or 0 for s in steps),
        "steps": steps,
        "town": job.municipality,
        "finished": job.status in (ProvisioningJob.Status.DONE, ProvisioningJob.Status.FAILED),
    }
    template = "onboarding/_job_steps.html" if request.htmx else "onboarding/job.html"
    return render(request, template, context)


@platform_admin_required
@require_POST
def job_resume(request, public_id):
    job = get_object_or_404(ProvisioningJob, public_id=public_id)
    with transaction.atomic():
        actions.start_provisioning(job=job)
    messages.info(request, "ส่งงานจัดเตรียมต่อแล้ว (Provisioning resumed)")
    return redirect("onboarding:job", public_id=job.public_id)


@platform_admin_required
@require_GET
def subdomain_check(request):
    """Live availability check for step 2 (HTMX)."""
    value = query_param(request.GET, "slug").lower()
    try:
        check_subdomain_available(value)
    except ValidationError as exc:
        return render(
            request,
            "onboarding/_subdomain_check.html",
            {"ok": False, "messages": exc.messages, "value": value},
        )
    return render(request, "onboarding/_subdomain_check.html", {"ok": True, "value": value})


@platform_admin_required
@require_GET
def district_options(request):
    """<option>s of the chosen province's districts (HTMX, step 1)."""
    province = query_param(request.GET, "province_code")
    options = geography.districts_of(province) if province else []
    return HttpResponse(
        format_html(
            '<option value="">—</option>{}', format_html_join("", '<option value="{}">{}</option>', options)
        )
    )
