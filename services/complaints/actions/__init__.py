"""Writes of One Stop Service, one module per topic: filing, triage, resolution (with its proof),
the reporter's verdict, escalation, Open311 keys, the LINE draft, communities. One transaction each;
every status change goes through services.common.workflow.move() and queues the reporter's
notifications in the same transaction (services.common.outbox). The names below are the package's
public surface (views, the API and tasks call `actions.submit_complaint(...)`)."""

from .communities import set_community_location
from .escalation import close_confirmed_by_silence, escalate_overdue
from .filing import (
    PUBLIC_CHANNELS,
    Filing,
    RateLimited,
    attribute_answers,
    check_submission_rate,
    open_case,
    submit_complaint,
    validate_filing,
)
from .line import first_time_line_event, remember_line_photo, remember_line_text, take_line_draft, take_line_photos
from .notices import access_url, tracking_url
from .open311_keys import client_for_key, issue_open311_key, revoke_open311_key
from .resolution import add_internal_note, add_public_reply, clean_after_evidence, record_resolution, resolve_complaint
from .triage import (
    accept_complaint,
    assign_complaint,
    merge_complaint,
    recategorise_complaint,
    reject_complaint,
    start_work,
)
from .verdict import confirm_resolution, reopen_complaint

__all__ = [
    "PUBLIC_CHANNELS",
    "Filing",
    "RateLimited",
    "accept_complaint",
    "access_url",
    "add_internal_note",
    "add_public_reply",
    "assign_complaint",
    "attribute_answers",
    "check_submission_rate",
    "clean_after_evidence",
    "client_for_key",
    "close_confirmed_by_silence",
    "confirm_resolution",
    "escalate_overdue",
    "first_time_line_event",
    "issue_open311_key",
    "merge_complaint",
    "open_case",
    "recategorise_complaint",
    "record_resolution",
    "reject_complaint",
    "remember_line_photo",
    "remember_line_text",
    "reopen_complaint",
    "resolve_complaint",
    "revoke_open311_key",
    "set_community_location",
    "start_work",
    "submit_complaint",
    "take_line_draft",
    "take_line_photos",
    "tracking_url",
    "validate_filing",
]
