"""The one way a status changes: `move(case, to=..., by=..., transitions=...)`, and for many rows at
once `bulk_move(queryset, to=..., transitions=..., by=...)`.

A service declares its TRANSITIONS table {from: {to: permission or None}}; None means the system
may fire it (tasks, the reporter's own confirmation), a string is a Django permission the actor
must hold. move() checks the table and the permission, sets the field, and asks the case to record
the event (`case.record_transition(...)`) in the same transaction. The audit trail row comes from
django-auditlog when the caller saves.

`by=SYSTEM` names a transition no person fired (a task, a bank callback, another town's message);
`by=None` still means the same. SYSTEM holds no permission, so it fires only the None entries.
Timelines show such an event without a person ("ระบบ"). No other module assigns a status field:
tests/architecture/test_status_writes.py fails on one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

Transitions = Mapping[Any, Mapping[Any, str | None]]


class _System:
    """The actor of a system-fired transition. Not a user: no id, not signed in, no permission."""

    pk = id = None
    is_authenticated = False
    is_anonymous = False
    is_active = False

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return False

    def __str__(self) -> str:
        return "ระบบ (system)"

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM: Final = _System()


def is_system(by: Any) -> bool:
    """True for SYSTEM and for the older spelling `by=None`."""
    return by is None or by is SYSTEM


def actor_of(by: Any) -> Any:
    """The user to store on a timeline row: None for the system (and for anonymous visitors)."""
    return None if is_system(by) or not getattr(by, "is_authenticated", False) else by


class TransitionNotAllowed(Exception):
    def __init__(self, current: Any, target: Any) -> None:
        self.current, self.target = current, target
        super().__init__(
            _("ไม่สามารถเปลี่ยนสถานะจาก “%(current)s” เป็น “%(target)s” (This status change is not allowed)")
            % {"current": current, "target": target}
        )


def allowed_targets(current: Any, transitions: Transitions) -> list[Any]:
    return list(transitions.get(current, {}).keys())


def _may(permission: str | None, by: Any) -> bool:
    return permission is None or (not is_system(by) and by.has_perm(permission))


def can_move(current: Any, target: Any, *, by: Any, transitions: Transitions) -> bool:
    table = transitions.get(current, {})
    return target in table and _may(table[target], by)


def move(case: Any, *, to: Any, by: Any, transitions: Transitions, field: str = "status", note: str = "") -> Any:
    """Change `case.<field>` to `to` if the table allows it and `by` may; returns the old status."""
    current = getattr(case, field)
    table = transitions.get(current, {})
    if to not in table:
        raise TransitionNotAllowed(current, to)
    if not _may(table[to], by):
        raise PermissionDenied(_("คุณไม่มีสิทธิ์ทำรายการนี้ (You may not do this)"))
    setattr(case, field, to)
    record = getattr(case, "record_transition", None)
    if callable(record):
        record(old=current, new=to, by=SYSTEM if by is None else by, note=note)
    return current


def sources_of(target: Any, *, by: Any, transitions: Transitions) -> list[Any]:
    """The statuses from which `by` may move a row to `target`."""
    return [current for current, table in transitions.items() if target in table and _may(table[target], by)]


def bulk_move(
    queryset: QuerySet,
    *,
    to: Any,
    transitions: Transitions,
    by: Any = SYSTEM,
    field: str = "status",
    also: Mapping[str, Any] | None = None,
) -> int:
    """Move every row of `queryset` whose status the table lets `by` move to `to`, in one
    UPDATE … WHERE <field> IN (those statuses); `also` sets more columns in the same statement.
    Returns how many rows moved; the others keep their status. Rows are not loaded, so no
    record_transition runs: a model that records each transition must be moved one by one."""
    if also and field in also:
        raise TypeError(f"{field} is set by to=, not by also=")
    if callable(getattr(queryset.model, "record_transition", None)):
        raise TypeError(f"{queryset.model.__name__} records each transition: use move() row by row")
    sources = sources_of(to, by=by, transitions=transitions)
    if not sources:
        return 0
    return queryset.filter(**{f"{field}__in": sources}).update(**{field: to, **(also or {})})
