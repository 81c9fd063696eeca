"""The one way a status changes: `move(case, to=..., by=..., transitions=...)`.

A service declares its TRANSITIONS table {from: {to: permission or None}}; None means the system
may fire it (tasks, the reporter's own confirmation), a string is a Django permission the actor
must hold. move() checks the table and the permission, sets the field, and asks the case to record
the event (`case.record_transition(...)`) in the same transaction. The audit trail row comes from
django-auditlog when the caller saves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

Transitions = Mapping[Any, Mapping[Any, str | None]]


class TransitionNotAllowed(Exception):
    def __init__(self, current: Any, target: Any) -> None:
        self.current, self.target = current, target
        super().__init__(
            _("ไม่สามารถเปลี่ยนสถานะจาก “%(current)s” เป็น “%(target)s” (This status change is not allowed)")
            % {"current": current, "target": target}
        )


def allowed_targets(current: Any, transitions: Transitions) -> list[Any]:
    return list(transitions.get(current, {}).keys())


def can_move(current: Any, target: Any, *, by: Any, transitions: Transitions) -> bool:
    table = transitions.get(current, {})
    if target not in table:
        return False
    permission = table[target]
    return permission is None or (by is not None and by.has_perm(permission))


def move(case: Any, *, to: Any, by: Any, transitions: Transitions, field: str = "status", note: str = "") -> Any:
    """Change `case.<field>` to `to` if the table allows it and `by` may; returns the old status."""
    current = getattr(case, field)
    table = transitions.get(current, {})
    if to not in table:
        raise TransitionNotAllowed(current, to)
    permission = table[to]
    if permission is not None and (by is None or not by.has_perm(permission)):
        raise PermissionDenied(_("คุณไม่มีสิทธิ์ทำรายการนี้ (You may not do this)"))
    setattr(case, field, to)
    record = getattr(case, "record_transition", None)
    if callable(record):
        record(old=current, new=to, by=by, note=note)
    return current
