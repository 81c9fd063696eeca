"""What makes one service's journey its own: a CaseType registered by the service's AppConfig.

The shared actions ask the case type for its transitions table, its statutory clock, its fee and
its certificate layout, so the journey is written once and each service only states its rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .models import DeadlineRule


@dataclass(frozen=True)
class CaseType:
    kind: str
    app_label: str  # URL namespace and template folder of the service
    label_th: str
    label_en: str
    certificate_label_th: str
    tracking_prefix: str
    certificate_series: str
    transitions: Any
    view_permission: str
    # Statutory clock of the official: starts when the case is submitted or accepted (complete).
    clock_starts_on: str  # "submitted" | "accepted"
    review_days: int
    review_rule: str = DeadlineRule.CALENDAR_DAYS
    # Time the applicant has to fix a returned application (None: no legal limit).
    fix_days: int | None = None
    fix_rule: str = DeadlineRule.CALENDAR_DAYS
    # Roles told when a case arrives or comes back fixed.
    intake_roles: tuple[str, ...] = ()
    # Days the official has once ordered corrections are made (None: the normal clock again).
    corrections_days: int | None = None
    max_extensions: int = 0
    extension_days: int = 0
    certificate_template: str = ""
    legal_basis: str = ""
    compute_issue_fee: Callable[..., Any] | None = None
    public_summary: Callable[..., dict] | None = None
    requirement_applies: Callable[..., bool] = field(default=lambda case, requirement: True)
    detail_name: str = ""
    # For services with a periodic fee: the label of the fee period a date falls in.
    fee_period_label: Callable[..., str] | None = (
        None  # the one-to-one related name of the service's details on Case
    )


_TYPES: dict[str, CaseType] = {}


def register(case_type: CaseType) -> None:
    _TYPES[case_type.kind] = case_type


def case_type_for(kind: str) -> CaseType:
    try:
        return _TYPES[kind]
    except KeyError as exc:
        raise LookupError(f"no case type registered for {kind!r}") from exc


def registered_types() -> list[CaseType]:
    return list(_TYPES.values())
