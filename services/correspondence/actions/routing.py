"""Inside the town: present a registered letter, endorse it (เกษียณหนังสือ), circulate it, the
addressees' acknowledgements, and closing the matter."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from services.accounts.models import Department, User
from services.common import outbox

from ..models import Direction, Endorsement, Letter, LetterStatus, Routing, Urgency
from .common import locked_letter, move_letter, record_event, require_permission


@transaction.atomic
def present_letter(*, letter_id: int, by: User, to: User, note: str = "") -> Routing:
    """เสนอ: the clerk presents a registered letter to an executive."""
    letter = locked_letter(letter_id, Direction.INCOMING, LetterStatus.PRESENTED)
    if not to.has_perm("correspondence.endorse_letter"):
        raise ValidationError({"to": _("ผู้รับต้องเป็นผู้บริหาร (Present to an executive)")})
    move_letter(letter, LetterStatus.PRESENTED, by, note)
    letter.presented_to = to
    letter.save(update_fields=["presented_to", "updated_at"])
    return Routing.objects.create(letter=letter, sent_by=by, to_user=to, note=note)


def _route(
    letter: Letter,
    *,
    by: User,
    endorsement: Endorsement | None,
    to_users: Sequence[User],
    to_departments: Sequence[Department],
    note: str,
) -> list[Routing]:
    if not to_users and not to_departments:
        raise ValidationError({"to": _("กรุณาเลือกผู้รับอย่างน้อย 1 ราย (Choose at least one addressee)")})
    if letter.is_secret and to_departments:
        raise ValidationError(
            {"to": _("หนังสือลับต้องส่งถึงตัวบุคคลเท่านั้น (A secret letter goes to named people only)")}
        )
    routings = [
        Routing.objects.create(letter=letter, endorsement=endorsement, sent_by=by, to_user=u, note=note)
        for u in to_users
    ]
    routings += [
        Routing.objects.create(letter=letter, endorsement=endorsement, sent_by=by, to_department=d, note=note)
        for d in to_departments
    ]
    names = ", ".join([u.display_name for u in to_users] + [d.name_th for d in to_departments])
    record_event(letter, "routed", by, names)
    for routing in routings:
        _notify_routing(routing)
    return routings


def _notify_routing(routing: Routing) -> None:
    """E-mail the addressee (or the department head) through the outbox, sent after commit."""
    person = routing.to_user or (routing.to_department.head if routing.to_department else None)
    if person is None or not person.email:
        return
    letter = routing.letter
    # A secret letter's subject never leaves the system.
    subject = _("มีหนังสือชั้นความลับส่งถึงท่าน") if letter.is_secret else letter.subject
    urgency = "" if letter.urgency == Urgency.NORMAL else f"[{letter.get_urgency_display()}] "
    body = _(
        "มีหนังสือส่งถึงท่านในระบบสารบรรณ: %(s)s\nโปรดเข้าสู่ระบบเพื่อรับทราบและดำเนินการ: /saraban/letters/%(id)s/"
    ) % {
        "s": subject,
        "id": letter.pk,
    }
    outbox.enqueue(
        channel="email",
        recipient=person.email,
        subject=f"{urgency}{subject}",
        body=body,
        key=f"saraban-routing-{routing.pk}",
    )


@transaction.atomic
def endorse_letter(
    *,
    letter_id: int,
    by: User,
    order_text: str,
    to_users: Sequence[User] = (),
    to_departments: Sequence[Department] = (),
) -> Endorsement:
    """เกษียณหนังสือ: the executive writes an order and routes the letter to people or departments."""
    require_permission(by, "correspondence.endorse_letter")
    if not order_text.strip():
        raise ValidationError({"order_text": _("กรุณาเขียนข้อความสั่งการ (Write the order)")})
    letter = locked_letter(letter_id, Direction.INCOMING, LetterStatus.ENDORSED)
    move_letter(letter, LetterStatus.ENDORSED, by, order_text)
    endorsement = Endorsement.objects.create(letter=letter, by=by, order_text=order_text.strip())
    Routing.objects.filter(letter=letter, to_user=by, acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now(),
        acknowledged_by=by,
        done_at=timezone.now(),
        action_taken=order_text.strip(),
    )
    _route(
        letter,
        by=by,
        endorsement=endorsement,
        to_users=to_users,
        to_departments=to_departments,
        note=order_text,
    )
    return endorsement


@transaction.atomic
def circulate_letter(
    *,
    letter_id: int,
    by: User,
    to_users: Sequence[User] = (),
    to_departments: Sequence[Department] = (),
    note: str = "",
) -> list[Routing]:
    """เวียนหนังสือ: the clerk sends a registered letter to many people or departments at once."""
    require_permission(by, "correspondence.register_letter")
    letter = Letter.objects.select_for_update().get(pk=letter_id)
    if letter.status not in (LetterStatus.REGISTERED, LetterStatus.ENDORSED, LetterStatus.PRESENTED):
        raise ValidationError(_("เวียนได้เฉพาะหนังสือที่ลงทะเบียนแล้ว (Register the letter first)"))
    return _route(
        letter, by=by, endorsement=None, to_users=to_users, to_departments=to_departments, note=note
    )


def _is_addressee(routing: Routing, user: User) -> bool:
    if routing.to_user_id is not None:
        return routing.to_user_id == user.pk
    return routing.to_department_id is not None and routing.to_department_id == user.department_id


@transaction.atomic
def acknowledge_routing(*, routing_id: int, by: User, action_taken: str = "", done: bool = False) -> Routing:
    """รับทราบ / ดำเนินการแล้ว: the addressee (or a member of the addressed department) answers."""
    routing = Routing.objects.select_for_update().select_related("letter").get(pk=routing_id)
    if not _is_addressee(routing, by):
        raise PermissionDenied(_("หนังสือนี้ไม่ได้ส่งถึงคุณ (This was not routed to you)"))
    now = timezone.now()
    if routing.acknowledged_at is None:
        routing.acknowledged_at, routing.acknowledged_by = now, by
        record_event(routing.letter, "acknowledged", by)
    if action_taken:
        routing.action_taken = action_taken
    if done and routing.done_at is None:
        routing.done_at = now
        record_event(routing.letter, "action_done", by, action_taken)
    routing.save()
    return routing


@transaction.atomic
def close_letter(*, letter_id: int, by: User, note: str = "") -> Letter:
    """Mark an incoming letter's business finished (เรื่องเสร็จ), which starts its retention period."""
    letter = locked_letter(letter_id, Direction.INCOMING, LetterStatus.CLOSED)
    if letter.status == LetterStatus.ENDORSED:
        require_permission(by, "correspondence.register_letter")
    move_letter(letter, LetterStatus.CLOSED, by, note)
    return letter


# --- retention -----------------------------------------------------------------------------------
