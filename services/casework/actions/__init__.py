"""Writes of the shared case journey (building permits, food premises), one module per topic.
Each public function is one transaction and one thing a person (or the system) does; services call
these with their own details already saved. The names below are the package's public surface."""

from .application import attach_document, missing_requirements, submit_case, withdraw_case
from .certificates import (
    issue_certificate,
    reinstate_certificate,
    render_certificate,
    rerender_certificate,
    revoke_certificate,
    suspend_certificate,
    verification_url,
)
from .common import (
    ACCEPTED_UPLOAD_TYPES,
    PHOTO_TYPES,
    checked_store,
    due_after,
    lock_case,
    record_event,
    require_applicant,
    settings_for,
    sniff_upload_type,
    today,
)
from .deadlines import escalate_due_cases, void_lapsed_returns
from .fee_payments import (
    issue_paid_certificate,
    issue_paid_certificates,
    overdue_fees,
    record_counter_payment,
    record_fee_paid,
)
from .review import (
    accept_case,
    approve_case,
    extend_deadline,
    record_inspection,
    record_technical_review,
    refuse_case,
    return_for_fixes,
)
from .town_settings import (
    add_fee_rate,
    require_town_admin,
    save_requirement,
    save_service_settings,
    set_late_surcharge,
    set_opening_rates,
    set_requirement_active,
)

__all__ = [
    "ACCEPTED_UPLOAD_TYPES",
    "PHOTO_TYPES",
    "accept_case",
    "add_fee_rate",
    "approve_case",
    "attach_document",
    "checked_store",
    "due_after",
    "escalate_due_cases",
    "extend_deadline",
    "issue_certificate",
    "issue_paid_certificate",
    "issue_paid_certificates",
    "lock_case",
    "missing_requirements",
    "overdue_fees",
    "record_counter_payment",
    "record_event",
    "record_fee_paid",
    "record_inspection",
    "record_technical_review",
    "refuse_case",
    "reinstate_certificate",
    "render_certificate",
    "require_applicant",
    "require_town_admin",
    "rerender_certificate",
    "return_for_fixes",
    "revoke_certificate",
    "save_requirement",
    "save_service_settings",
    "set_late_surcharge",
    "set_opening_rates",
    "set_requirement_active",
    "settings_for",
    "sniff_upload_type",
    "submit_case",
    "suspend_certificate",
    "today",
    "verification_url",
    "void_lapsed_returns",
    "withdraw_case",
]
