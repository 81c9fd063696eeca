"""Reads of e-Saraban; who may see which letter is decided here.

Letters of normal secrecy: clerks, executives and town admins (view_register) see all; everyone
else sees the letters they drafted, approve, sign, or that were routed to them or their department.
Secret letters (ลับ, ลับมาก, ลับที่สุด): only the people they concern (drafter, registering clerk,
approvers, signer, the executive presented to, and people routed to by name), whatever their
role; each view is written to the letter's trail, and so is each refused attempt.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from services.accounts.models import User
from services.common.buddhist_era import be_year

from .models import (
    ApprovalStep,
    Letter,
    LetterEvent,
    LetterStatus,
    Register,
    RegisterEntry,
    Routing,
    Secrecy,
    Urgency,
)


def _party_filter(user: User) -> Q:
    """Letters that concern `user` by name."""
    named = Q(created_by=user) | Q(signer=user) | Q(presented_to=user)
    named |= Exists(ApprovalStep.objects.filter(letter=OuterRef("pk"), approver=user))
    named |= Exists(Routing.objects.filter(letter=OuterRef("pk"), to_user=user))
    named |= Exists(RegisterEntry.objects.filter(letter=OuterRef("pk"), registered_by=user))
    return named


def visible_letters(user: User) -> QuerySet[Letter]:
    """Every letter `user` may open."""
    if not user.is_authenticated or not getattr(user, "is_staff_member", False):
        return Letter.objects.none()
    party = _party_filter(user)
    if user.has_perm("correspondence.view_register"):
        open_letters = Q(secrecy=Secrecy.NORMAL)
    else:
        open_letters = Q(secrecy=Secrecy.NORMAL) & (
            Exists(Routing.objects.filter(letter=OuterRef("pk"), to_department_id=user.department_id))
            if user.department_id
            else Q(pk__in=[])
        )
    return Letter.objects.filter(open_letters | party)


def can_view_letter(user: User, letter: Letter) -> bool:
    return visible_letters(user).filter(pk=letter.pk).exists()


def letter_for_viewing(*, user: User, letter_id: int) -> Letter:
    """Open one letter. A refused or secret view is written to the letter's trail (audited)."""
    letter = Letter.objects.filter(pk=letter_id).first()
    if letter is None:
        from django.http import Http404

        raise Http404
    if not can_view_letter(user, letter):
        LetterEvent.objects.create(
            letter=letter, by=user if user.is_authenticated else None, action="view_denied"
        )
        raise PermissionDenied(_("คุณไม่มีสิทธิ์เปิดหนังสือนี้ (You may not open this letter)"))
    if letter.is_secret:
        LetterEvent.objects.create(letter=letter, by=user, action="viewed")
    return letter


def register_entries(
    *,
    user: User,
    register: str,
    year: int | None = None,
    query: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    urgency: str = "",
    kind: str = "",
    status: str = "",
) -> QuerySet[RegisterEntry]:
    """Rows of a register for the register page and printouts, newest first, with search and filters.

    Secret letters the user may not open still appear (the register is gapless) but their subject
    is hidden by the template via `entry.letter_visible`.
    """
    if not user.has_perm("correspondence.view_register"):
        raise PermissionDenied(_("คุณไม่มีสิทธิ์ดูทะเบียนหนังสือ (You may not view the registers)"))
    entries = RegisterEntry.objects.filter(register=register).select_related("letter", "registered_by")
    if year:
        entries = entries.filter(year=year)
    if date_from:
        entries = entries.filter(registered_at__date__gte=date_from)
    if date_to:
        entries = entries.filter(registered_at__date__lte=date_to)
    if urgency:
        entries = entries.filter(letter__urgency=urgency)
    if kind:
        entries = entries.filter(letter__kind=kind)
    if status:
        entries = entries.filter(letter__status=status)
    if query:
        entries = entries.filter(_search_filter(query, prefix="letter__", entry_prefix=""))
    visible = visible_letters(user).filter(pk=OuterRef("letter_id"))
    return entries.annotate(letter_visible=Exists(visible)).order_by("-year", "-number")


PREFIX_PERMISSIONS = ("correspondence.send_letter", "correspondence.manage_saraban")


def may_set_letter_prefix(user) -> bool:
    """The saraban clerks (who number and send letters) and the town admin set the letter prefix."""
    return any(user.has_perm(p) for p in PREFIX_PERMISSIONS)


def who_sets_letter_prefix() -> list[str]:
    """Names of the active staff who may set the letter prefix, to tell anyone who cannot."""
    from django.contrib.auth.models import Permission
    from django.db.models import Q as Query

    from services.accounts.models import User

    codenames = [p.split(".", 1)[1] for p in PREFIX_PERMISSIONS]
    granted = Permission.objects.filter(content_type__app_label="correspondence", codename__in=codenames)
    people = (
        User.objects.filter(is_active=True, kind="staff")
        .filter(Query(groups__permissions__in=granted) | Query(user_permissions__in=granted))
        .distinct()
        .order_by("first_name", "last_name")[:5]
    )
    return [p.get_full_name() or p.username for p in people]


def _search_filter(query: str, *, prefix: str, entry_prefix: str | None) -> Q:
    """Thai has no spaces between words, so search is substring matching on each term."""
    condition = Q()
    for term in query.split():
        term_q = (
            Q(**{f"{prefix}subject__icontains": term})
            | Q(**{f"{prefix}notes__icontains": term})
            | Q(**{f"{prefix}action_note__icontains": term})
            | Q(**{f"{prefix}letter_number__icontains": term})
            | Q(**{f"{prefix}sender_name__icontains": term})
            | Q(**{f"{prefix}recipient_name__icontains": term})
        )
        if entry_prefix is not None and "/" in term:
            number, _slash, year = term.partition("/")
            if number.isdigit() and year.isdigit():
                term_q |= Q(**{f"{entry_prefix}number": int(number), f"{entry_prefix}year": int(year)})
        elif entry_prefix is not None and term.isdigit():
            term_q |= Q(**{f"{entry_prefix}number": int(term)})
        condition &= term_q
    return condition


def search_letters(
    *, user: User, query: str = "", direction: str = "", secrecy_visible_only: bool = True
) -> QuerySet[Letter]:
    """Letters the user may open matching the words (number, subject, sender, notes...)."""
    letters = visible_letters(user)
    if direction:
        letters = letters.filter(direction=direction)
    if query:
        condition = _search_filter(query, prefix="", entry_prefix=None)
        for term in query.split():
            if "/" in term:
                number, _slash, year = term.partition("/")
                if number.isdigit() and year.isdigit():
                    condition |= Q(register_entries__number=int(number), register_entries__year=int(year))
        letters = letters.filter(condition).distinct()
    return letters.order_by("-created_at")


def _urgency_rank():
    # Urgent letters first (the receiving clerk sorts by urgency before registering).
    ranks = {Urgency.MOST_URGENT: 0, Urgency.VERY_URGENT: 1, Urgency.URGENT: 2}
    return Case(*[When(urgency=u, then=Value(r)) for u, r in ranks.items()], default=Value(3))


def incoming_queue(*, user: User) -> QuerySet[Letter]:
    """Letters from the exchange waiting for the clerk to register them, most urgent first."""
    return (
        visible_letters(user)
        .filter(status=LetterStatus.RECEIVED)
        .annotate(urgency_rank=_urgency_rank())
        .order_by("urgency_rank", "created_at")
    )


def my_routings(*, user: User, open_only: bool = True) -> QuerySet[Routing]:
    """Letters routed to the user or their department (the user's in-tray)."""
    condition = Q(to_user=user)
    if user.department_id:
        condition |= Q(to_department_id=user.department_id)
    routings = Routing.objects.filter(condition).select_related("letter", "sent_by", "to_department")
    if open_only:
        routings = routings.filter(done_at__isnull=True)
    visible = visible_letters(user).values("pk")
    return routings.filter(letter__in=visible).order_by("-sent_at")


def awaiting_my_approval(*, user: User) -> QuerySet[Letter]:
    """Drafts whose current approval step is this user's."""
    earlier_pending = ApprovalStep.objects.filter(
        letter=OuterRef("letter"),
        round=OuterRef("round"),
        position__lt=OuterRef("position"),
        decision=ApprovalStep.Decision.PENDING,
    )
    steps = ApprovalStep.objects.filter(approver=user, decision=ApprovalStep.Decision.PENDING).exclude(
        Exists(earlier_pending)
    )
    return Letter.objects.filter(status=LetterStatus.PENDING_APPROVAL, approval_steps__in=steps).distinct()


def destroy_after_year(letter: Letter, registered_year: int) -> int:
    """The BE year from which a letter may be listed for destruction (kept `retention_years` full years)."""
    return registered_year + letter.retention_years + 1


def destruction_candidates(*, today: dt.date | None = None) -> QuerySet[Letter]:
    """บัญชีหนังสือขอทำลาย: finished letters whose retention period has ended and are not kept forever."""
    year = be_year(today or timezone.localdate())
    from django.db.models import F, Min

    return (
        Letter.objects.filter(
            keep_permanently=False,
            destroyed_at__isnull=True,
            status__in=[LetterStatus.SENT, LetterStatus.CLOSED, LetterStatus.RETURNED],
        )
        .annotate(first_year=Min("register_entries__year"))
        .filter(first_year__isnull=False, first_year__lte=year - 1 - F("retention_years"))
        .order_by("first_year", "pk")
    )


REGISTER_TITLES = {register: str(register.label) for register in Register}
