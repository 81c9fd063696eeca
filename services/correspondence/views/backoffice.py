"""Back-office pages of e-Saraban: parse, authorise, call one action or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from services.common import signing
from services.common.buddhist_era import be_year
from services.common.files.views import file_response
from services.common.params import query_param
from services.common.views import backoffice_menu, staff_required
from services.common.workflow import TransitionNotAllowed
from services.exchange.directory import agencies, current_agency_code

from .. import actions, printouts, selectors
from ..forms import (
    AcknowledgeForm,
    CertificateForm,
    DecisionForm,
    DestructionForm,
    DraftLetterForm,
    LetterPrefixForm,
    LetterTemplateForm,
    PaperLetterForm,
    PresentForm,
    RegisterFilterForm,
    ReturnForm,
    RouteForm,
    SendForm,
    SettingsForm,
    SigningOptionsForm,
    SubmitForm,
)
from ..models import Direction, Letter, LetterStatus, LetterTemplate, Register, Routing
from ..pdf import render_letter_pdf, render_register_pdf

PAGE_SIZE = 30


def _page(request, template: str, context: dict, status: int = 200):
    context = {"backoffice_menu": backoffice_menu(request.user), **context}
    return render(request, template, context, status=status)


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@staff_required
def home(request):
    user = request.user
    context = {
        "routings": selectors.my_routings(user=user)[:20],
        "approvals": selectors.awaiting_my_approval(user=user)[:20],
        "incoming": selectors.incoming_queue(user=user)[:20]
        if user.has_perm("correspondence.register_letter")
        else [],
        "presented": selectors.visible_letters(user).filter(status=LetterStatus.PRESENTED, presented_to=user)[
            :20
        ],
        "drafts": selectors.visible_letters(user).filter(
            created_by=user, status__in=[LetterStatus.DRAFT, LetterStatus.APPROVED]
        )[:20],
        "prefix_missing": not actions.saraban_settings().letter_prefix,
        "may_set_prefix": selectors.may_set_letter_prefix(user),
        "prefix_setters": selectors.who_sets_letter_prefix(),
    }
    return _page(request, "correspondence/home.html", context)


@staff_required
def letter_list(request):
    query = query_param(request.GET, "q")
    direction = query_param(request.GET, "direction")
    letters = selectors.search_letters(
        user=request.user, query=query, direction=direction if direction in Direction.values else ""
    )
    page = Paginator(letters.prefetch_related("register_entries"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return _page(
        request, "correspondence/letter_list.html", {"page": page, "q": query, "direction": direction}
    )


def _letter_context(request, letter: Letter) -> dict:
    user = request.user
    actions.delivery_progress(letter)
    step = actions.current_approval_step(letter)
    return {
        "letter": letter,
        "entries": letter.register_entries.all(),
        "recipients": letter.recipients.all(),
        "attachments": letter.attachments.select_related("file"),
        "approval_steps": letter.approval_steps.select_related("approver"),
        "endorsements": letter.endorsements.select_related("by"),
        "routings": letter.routings.select_related("to_user", "to_department", "sent_by", "acknowledged_by"),
        "events": letter.events.select_related("by"),
        "is_my_turn": step is not None and step.approver_id == user.pk,
        "can_register": user.has_perm("correspondence.register_letter"),
        "can_send": user.has_perm("correspondence.send_letter"),
        "can_endorse": user.has_perm("correspondence.endorse_letter"),
        "submit_form": SubmitForm(),
        "decision_form": DecisionForm(),
        "send_form": SendForm(agencies=agencies(exclude_code=current_agency_code())),
        "return_form": ReturnForm(),
        "present_form": PresentForm(),
        "route_form": RouteForm(),
        "ack_form": AcknowledgeForm(),
        "my_routings": [
            r
            for r in letter.routings.all()
            if r.done_at is None
            and (r.to_user_id == user.pk or (r.to_department_id and r.to_department_id == user.department_id))
        ],
    }


@staff_required
def letter_detail(request, pk: int):
    letter = selectors.letter_for_viewing(user=request.user, letter_id=pk)
    return _page(request, "correspondence/letter_detail.html", _letter_context(request, letter))


@staff_required
def letter_pdf(request, pk: int):
    """The letter in the official layout (a preview while it is a draft)."""
    letter = selectors.letter_for_viewing(user=request.user, letter_id=pk)
    if letter.direction != Direction.OUTGOING:
        raise Http404
    issued = letter.attachments.filter(role="rendered").select_related("file").last()
    if issued is not None:  # the issued (signed) copy, not a fresh unsigned rendering
        with issued.file.file.open("rb") as handle:
            content = handle.read()
    else:
        content = render_letter_pdf(letter)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="letter-{letter.pk}.pdf"'
    return response


@staff_required
def attachment(request, pk: int, attachment_id: int):
    """A letter's file, for whoever may open the letter (secret letters: the view is audited)."""
    letter = selectors.letter_for_viewing(user=request.user, letter_id=pk)
    item = letter.attachments.select_related("file").filter(pk=attachment_id).first()
    if item is None:
        raise Http404
    return file_response(item.file, cache_control="private, no-store", filename=item.file.original_name)


@require_POST
@staff_required
def letter_action(request, pk: int, action: str):
    """One POST endpoint per step on a letter; each calls exactly one action."""
    letter = selectors.letter_for_viewing(user=request.user, letter_id=pk)
    user = request.user
    post = request.POST
    try:
        if action == "submit":
            form = SubmitForm(post)
            if not form.is_valid():
                # Said on the letter's page (messages), never a silent redirect.
                raise ValidationError([m for errors in form.errors.values() for m in errors])
            actions.submit_for_approval(letter_id=letter.pk, by=user, approver_ids=form.approver_ids())
            messages.success(request, _("ส่งเสนอพิจารณาแล้ว"))
        elif action in ("approve", "reject"):
            actions.decide_approval(
                letter_id=letter.pk, by=user, approve=action == "approve", comment=post.get("comment", "")
            )
            messages.success(request, _("บันทึกผลการพิจารณาแล้ว"))
        elif action == "send":
            if not user.has_perm("correspondence.send_letter"):
                raise PermissionDenied
            codes = post.getlist("recipient_codes")
            paper = post.get("paper_recipients", "").splitlines()
            actions.send_letter(letter_id=letter.pk, by=user, recipient_codes=codes, paper_recipients=paper)
            letter.refresh_from_db()
            messages.success(request, _("ออกเลขและส่งหนังสือแล้ว: %(n)s") % {"n": letter.letter_number})
        elif action == "register":
            entry = actions.register_received(
                letter_id=letter.pk, by=user, action_note=post.get("action_note", "")
            )
            messages.success(request, _("ลงทะเบียนรับแล้ว เลขรับ %(n)s") % {"n": entry.display_number})
        elif action == "return":
            actions.return_received(letter_id=letter.pk, by=user, reason=post.get("reason", ""))
            messages.success(request, _("ส่งคืนผู้ส่งแล้ว"))
        elif action == "present":
            form = PresentForm(post)
            if not form.is_valid():
                raise ValidationError(_("กรุณาเลือกผู้บริหาร (Choose the executive)"))
            actions.present_letter(
                letter_id=letter.pk, by=user, to=form.cleaned_data["to"], note=form.cleaned_data["note"]
            )
            messages.success(request, _("เสนอผู้บริหารแล้ว"))
        elif action in ("endorse", "circulate"):
            form = RouteForm(post)
            if not form.is_valid():
                raise ValidationError(_("ข้อมูลไม่ถูกต้อง (Invalid data)"))
            data = form.cleaned_data
            if action == "endorse":
                actions.endorse_letter(
                    letter_id=letter.pk,
                    by=user,
                    order_text=data["order_text"],
                    to_users=list(data["to_users"]),
                    to_departments=list(data["to_departments"]),
                )
                messages.success(request, _("เกษียณสั่งการแล้ว"))
            else:
                actions.circulate_letter(
                    letter_id=letter.pk,
                    by=user,
                    to_users=list(data["to_users"]),
                    to_departments=list(data["to_departments"]),
                    note=data["order_text"],
                )
                messages.success(request, _("เวียนหนังสือแล้ว"))
        elif action == "close":
            actions.close_letter(letter_id=letter.pk, by=user, note=post.get("note", ""))
            messages.success(request, _("ปิดเรื่องแล้ว"))
        else:
            raise Http404
    except (ValidationError, TransitionNotAllowed) as exc:
        messages.error(request, _error_text(exc))
    return redirect("correspondence:letter", pk=letter.pk)


@require_POST
@staff_required
def acknowledge(request, pk: int):
    routing = Routing.objects.filter(pk=pk).first()
    if routing is None:
        raise Http404
    selectors.letter_for_viewing(user=request.user, letter_id=routing.letter_id)
    form = AcknowledgeForm(request.POST)
    form.is_valid()
    actions.acknowledge_routing(
        routing_id=routing.pk,
        by=request.user,
        action_taken=form.cleaned_data.get("action_taken", ""),
        done=form.cleaned_data.get("done", False),
    )
    messages.success(request, _("บันทึกการรับทราบแล้ว"))
    return redirect("correspondence:letter", pk=routing.letter_id)


@staff_required
def draft(request):
    if not request.user.has_perm("correspondence.draft_letter"):
        raise PermissionDenied
    initial = {}
    template = None
    if request.method == "GET" and request.GET.get("template", "").isdigit():
        template = LetterTemplate.objects.filter(pk=int(request.GET["template"]), is_active=True).first()
        if template is not None:
            initial = {
                "kind": template.kind,
                "subject": template.subject,
                "salutation": template.salutation,
                "body": template.body,
                "closing": template.closing,
            }
    form = DraftLetterForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            letter = actions.draft_letter(
                by=request.user, attachments=request.FILES.getlist("attachments"), **form.cleaned_data
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("บันทึกร่างหนังสือแล้ว"))
            return redirect("correspondence:letter", pk=letter.pk)
    return _page(
        request,
        "correspondence/draft.html",
        {
            "form": form,
            "templates": LetterTemplate.objects.filter(is_active=True),
            "template": template,
        },
        status=400 if form.errors else 200,
    )


@staff_required
def templates(request, pk: int | None = None):
    """แบบฟอร์มหนังสือ: clerks keep the town's reusable letters."""
    if not request.user.has_perm("correspondence.send_letter"):
        raise PermissionDenied
    instance = LetterTemplate.objects.filter(pk=pk).first() if pk else None
    if pk and instance is None:
        raise Http404
    form = LetterTemplateForm(request.POST if request.method == "POST" else None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("บันทึกแบบฟอร์มแล้ว"))
        return redirect("correspondence:templates")
    return _page(
        request,
        "correspondence/templates.html",
        {
            "form": form,
            "instance": instance,
            "items": LetterTemplate.objects.all(),
        },
        status=400 if form.errors else 200,
    )


@staff_required
def receive_paper(request):
    if not request.user.has_perm("correspondence.register_letter"):
        raise PermissionDenied
    form = PaperLetterForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            letter = actions.register_paper_letter(
                by=request.user, scans=request.FILES.getlist("scans"), **form.cleaned_data
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            entry = letter.register_entries.get()
            messages.success(request, _("ลงทะเบียนรับแล้ว เลขรับ %(n)s") % {"n": entry.display_number})
            return redirect("correspondence:letter", pk=letter.pk)
    return _page(
        request, "correspondence/receive_paper.html", {"form": form}, status=400 if form.errors else 200
    )


def _register_query(request, register: str):
    if register not in Register.values:
        raise Http404
    form = RegisterFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    year = data.get("year") or (None if data.get("date_from") or data.get("q") else be_year(timezone.now()))
    entries = selectors.register_entries(
        user=request.user,
        register=register,
        year=year,
        query=data.get("q") or "",
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        urgency=data.get("urgency") or "",
        kind=data.get("kind") or "",
    )
    period = []
    if year:
        period.append(f"ปี พ.ศ. {year}")
    if data.get("date_from") or data.get("date_to"):
        period.append(f"{data.get('date_from') or ''} – {data.get('date_to') or ''}")
    return form, entries, " ".join(period) or "ทุกช่วงเวลา"


@staff_required
def register_view(request, register: str):
    form, entries, period = _register_query(request, register)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return _page(
        request,
        "correspondence/register.html",
        {
            "form": form,
            "page": page,
            "rows": printouts.register_rows(page.object_list),
            "register": register,
            "title": selectors.REGISTER_TITLES[register],
            "period": period,
            "querystring": request.GET.urlencode(),
        },
    )


@staff_required
def register_export(request, register: str, fmt: str):
    _form, entries, period = _register_query(request, register)
    rows = printouts.register_rows(entries[:5000])
    title = selectors.REGISTER_TITLES[register]
    stamp = timezone.localdate().isoformat()
    if fmt == "pdf":
        content = render_register_pdf(
            title=title, entries=rows, period_label=period, town_name=request.town.name_th
        )
        response = HttpResponse(content, content_type="application/pdf")
    elif fmt == "xlsx":
        content = printouts.register_xlsx(title=title, rows=rows, period_label=period)
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{register}-{stamp}.{fmt}"'
    return response


@staff_required
def retention(request):
    if not request.user.has_perm("correspondence.manage_saraban"):
        raise PermissionDenied
    candidates = selectors.destruction_candidates()
    form = DestructionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        ids = [int(i) for i in request.POST.getlist("letter_ids") if i.isdigit()]
        try:
            count = actions.record_destruction(
                letter_ids=ids, by=request.user, committee_note=form.cleaned_data["committee_note"]
            )
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("บันทึกการทำลายหนังสือ %(n)s รายการแล้ว") % {"n": count})
            return redirect("correspondence:retention")
    if request.GET.get("format") == "pdf":
        rows = [
            {
                "number": e.number,
                "year": e.year,
                "registered_at": e.registered_at,
                "letter_number": e.letter.letter_number,
                "letter_date": e.letter.letter_date or "",
                "sender": e.letter.sender_name,
                "recipient": e.letter.recipient_name,
                "subject": e.letter.subject if not e.letter.is_secret else printouts.WITHHELD,
                "action": "",
                "remarks": f"เก็บ {e.letter.retention_years} ปี",
            }
            for letter in candidates
            for e in letter.register_entries.all()[:1]
        ]
        content = render_register_pdf(
            title="บัญชีหนังสือขอทำลาย",
            entries=rows,
            period_label=f"ณ วันที่ {printouts.today_label()}",
            town_name=request.town.name_th,
        )
        return HttpResponse(content, content_type="application/pdf")
    page = Paginator(candidates, PAGE_SIZE).get_page(request.GET.get("page"))
    return _page(request, "correspondence/retention.html", {"page": page, "form": form})


def _prefix_settings(request):
    """A saraban clerk's settings page: the letter prefix only."""
    config = actions.saraban_settings()
    form = LetterPrefixForm(request.POST if request.method == "POST" else None, instance=config)
    if request.method == "POST" and form.is_valid():
        form.save()  # audited (auditlog): who changed the prefix, when
        messages.success(request, _("บันทึกรหัสหน่วยงานสำหรับเลขที่หนังสือแล้ว (Letter prefix saved)"))
        return redirect("correspondence:settings")
    return _page(
        request,
        "correspondence/settings.html",
        {"form": form, "config": config, "agency_code": current_agency_code(), "prefix_only": True},
        status=400 if form.errors else 200,
    )


@staff_required
def settings_view(request):
    if not request.user.has_perm("correspondence.manage_saraban"):
        if selectors.may_set_letter_prefix(request.user):
            return _prefix_settings(request)
        raise PermissionDenied
    config = actions.saraban_settings()
    signing_config = signing.signing_settings()
    section = request.POST.get("section", "") if request.method == "POST" else ""
    is_certificate = request.method == "POST" and "certificate" in request.FILES
    if is_certificate:
        section = "certificate"
    form = SettingsForm(request.POST if section == "" and request.method == "POST" else None, instance=config)
    signing_form = SigningOptionsForm(request.POST if section == "signing" else None, instance=signing_config)
    certificate_form = CertificateForm(
        request.POST if is_certificate else None, request.FILES if is_certificate else None
    )
    if is_certificate and certificate_form.is_valid():
        upload = certificate_form.cleaned_data["certificate"]
        if upload.size > signing.MAX_PKCS12_BYTES:
            certificate_form.add_error("certificate", _("ไฟล์ใบรับรองใหญ่เกินไป (Certificate file too large)"))
        else:
            try:
                signing.store_certificate(
                    pkcs12=upload.read(), passphrase=certificate_form.cleaned_data["passphrase"]
                )
            except ValidationError as exc:
                certificate_form.add_error("certificate", exc.messages)
            else:
                messages.success(request, _("บันทึกใบรับรองแล้ว"))
                return redirect("correspondence:settings")
    elif section == "signing" and signing_form.is_valid():
        signing_form.save()
        messages.success(request, _("บันทึกการตั้งค่าลายมือชื่อดิจิทัลแล้ว"))
        return redirect("correspondence:settings")
    elif section == "remove_certificate":
        signing.remove_certificate()
        messages.success(request, _("ลบใบรับรองแล้ว เอกสารต่อไปจะออกโดยไม่ลงลายมือชื่อดิจิทัล"))
        return redirect("correspondence:settings")
    elif request.method == "POST" and section == "" and form.is_valid():
        form.save()
        messages.success(request, _("บันทึกการตั้งค่าแล้ว"))
        return redirect("correspondence:settings")
    errors = form.errors or certificate_form.errors or signing_form.errors
    return _page(
        request,
        "correspondence/settings.html",
        {
            "form": form,
            "certificate_form": certificate_form,
            "signing_form": signing_form,
            "signing_config": signing_config,
            "signing_problem": signing.certificate_problem(signing_config) if signing_config.subject else "",
            "config": config,
            "agency_code": current_agency_code(),
        },
        status=400 if errors else 200,
    )
