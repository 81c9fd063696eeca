"""move / bulk_move / SYSTEM, and the transitions the status tables refuse."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onboarding.models import OnboardingDraft, ProvisioningJob
from onboarding.workflow import DRAFT_TRANSITIONS, JOB_TRANSITIONS, TOWN_TRANSITIONS
from services.building_permits.models import PermitRequest
from services.building_permits.workflow import REQUEST_TRANSITIONS
from services.casework.models import Case, CaseFee, Certificate
from services.casework.workflow import CERTIFICATE_TRANSITIONS, FEE_TRANSITIONS
from services.common import outbox
from services.common.models import OutboxMessage
from services.common.workflow import (
    SYSTEM,
    TransitionNotAllowed,
    actor_of,
    bulk_move,
    can_move,
    is_system,
    move,
    sources_of,
)
from services.complaints.models import Referral
from services.complaints.workflow import REFERRAL_TRANSITIONS
from services.correspondence.models import LetterRecipient, RecipientStatus
from services.correspondence.workflow import RECIPIENT_TRANSITIONS
from services.exchange.models import ExchangeMessage, MessageStatus
from services.exchange.workflow import TRANSITIONS as EXCHANGE
from services.food_premises.models import ChangeNotice
from services.food_premises.workflow import CHANGE_TRANSITIONS
from services.privacy.models import DataSubjectRequest
from services.privacy.workflow import TRANSITIONS as PRIVACY
from tenants.models import Municipality, MunicipalityStatus
from tests.factories import make_user


class Ticket:
    def __init__(self, status="open"):
        self.status = status
        self.events = []

    def record_transition(self, *, old, new, by, note):
        self.events.append((old, new, by))


TABLE = {"open": {"closed": None, "escalated": "accounts.manage_staff"}, "closed": {}, "escalated": {}}


# --- the system actor ---------------------------------------------------------------------------


def test_system_is_no_user_and_holds_no_permission():
    assert SYSTEM.has_perm("accounts.manage_staff") is False
    assert SYSTEM.pk is None and SYSTEM.is_authenticated is False
    assert is_system(SYSTEM) and is_system(None)
    assert actor_of(SYSTEM) is None and actor_of(None) is None
    assert repr(SYSTEM) == "SYSTEM" and "system" in str(SYSTEM)


def test_system_fires_only_the_transitions_the_table_leaves_to_it():
    ticket = Ticket()
    with pytest.raises(PermissionDenied):
        move(ticket, to="escalated", by=SYSTEM, transitions=TABLE)
    assert ticket.status == "open" and ticket.events == []
    move(ticket, to="closed", by=SYSTEM, transitions=TABLE)
    assert ticket.status == "closed"
    assert ticket.events == [("open", "closed", SYSTEM)]


def test_by_none_is_still_the_system_and_is_recorded_as_it():
    ticket = Ticket()
    assert not can_move("open", "escalated", by=None, transitions=TABLE)
    move(ticket, to="closed", by=None, transitions=TABLE)
    assert ticket.events == [("open", "closed", SYSTEM)]


def test_a_person_with_the_permission_fires_the_guarded_transition(in_town_a):
    admin = make_user(roles=("town_admin",))
    assert actor_of(admin) == admin
    ticket = Ticket()
    move(ticket, to="escalated", by=admin, transitions=TABLE)
    assert ticket.events == [("open", "escalated", admin)]


def test_sources_are_the_states_the_actor_may_leave_for_the_target():
    assert sources_of("closed", by=SYSTEM, transitions=TABLE) == ["open"]
    assert sources_of("escalated", by=SYSTEM, transitions=TABLE) == []


# --- bulk_move ----------------------------------------------------------------------------------


def _message(key: str, status: str) -> OutboxMessage:
    return OutboxMessage.objects.create(idempotency_key=key, channel="email", recipient="a@example.org",
                                        body="x", status=status)


def test_bulk_move_updates_only_rows_the_table_lets_move_in_one_statement(in_town_a):
    pending = _message("bm1", OutboxMessage.Status.PENDING)
    sent = _message("bm2", OutboxMessage.Status.SENT)
    failed = _message("bm3", OutboxMessage.Status.FAILED)
    rows = OutboxMessage.objects.filter(pk__in=[pending.pk, sent.pk, failed.pk])
    with CaptureQueriesContext(connection) as queries:
        moved = bulk_move(rows, to=OutboxMessage.Status.FAILED, transitions=outbox.TRANSITIONS,
                          also={"last_error": "given up"})
    assert moved == 1
    assert len(queries) == 1
    sql = queries[0]["sql"]
    assert sql.startswith("UPDATE") and " IN (" in sql
    statuses = dict(OutboxMessage.objects.filter(pk__in=[pending.pk, sent.pk, failed.pk]).values_list("pk", "status"))
    assert statuses == {pending.pk: "failed", sent.pk: "sent", failed.pk: "failed"}
    assert OutboxMessage.objects.get(pk=pending.pk).last_error == "given up"
    assert OutboxMessage.objects.get(pk=sent.pk).last_error == ""


def test_bulk_move_to_a_state_nothing_reaches_runs_no_query(in_town_a):
    _message("bm4", OutboxMessage.Status.FAILED)
    with CaptureQueriesContext(connection) as queries:
        moved = bulk_move(OutboxMessage.objects.all(), to=OutboxMessage.Status.PENDING, transitions=outbox.TRANSITIONS)
    assert moved == 0 and len(queries) == 0
    assert OutboxMessage.objects.get(idempotency_key="bm4").status == OutboxMessage.Status.FAILED


def test_bulk_move_leaves_out_rows_whose_move_needs_a_permission_the_actor_lacks(in_town_a):
    table = {"pending": {"failed": "accounts.manage_staff"}, "sent": {}, "failed": {}}
    _message("bm5", OutboxMessage.Status.PENDING)
    assert bulk_move(OutboxMessage.objects.all(), to="failed", transitions=table, by=SYSTEM) == 0
    admin = make_user(roles=("town_admin",))
    assert bulk_move(OutboxMessage.objects.all(), to="failed", transitions=table, by=admin) == 1


def test_bulk_move_refuses_models_that_record_each_transition_and_a_status_in_also():
    with pytest.raises(TypeError):
        bulk_move(Case.objects.all(), to="submitted", transitions={"draft": {"submitted": None}})
    with pytest.raises(TypeError):
        bulk_move(OutboxMessage.objects.all(), to="failed", transitions=outbox.TRANSITIONS, also={"status": "sent"})


# --- what the tables refuse -----------------------------------------------------------------------


def test_a_finished_referral_cannot_be_taken_back():
    for end in (Referral.Status.DONE, Referral.Status.DECLINED, Referral.Status.WITHDRAWN):
        with pytest.raises(TransitionNotAllowed):
            move(Referral(status=end), to=Referral.Status.WITHDRAWN, by=SYSTEM, transitions=REFERRAL_TRANSITIONS)
    # An agency's fix needs the officer's work permission, never the system's.
    with pytest.raises(PermissionDenied):
        move(Referral(status=Referral.Status.OPEN), to=Referral.Status.DONE, by=SYSTEM,
             transitions=REFERRAL_TRANSITIONS)
    # A referral to a town that failed is still marked delivered when the copy turns up.
    late = Referral(status=Referral.Status.FAILED)
    move(late, to=Referral.Status.DELIVERED, by=SYSTEM, transitions=REFERRAL_TRANSITIONS)
    assert late.status == Referral.Status.DELIVERED


def test_a_failed_or_sent_outbox_message_does_not_go_back_to_pending():
    for end in (OutboxMessage.Status.FAILED, OutboxMessage.Status.SENT, OutboxMessage.Status.EXPIRED):
        with pytest.raises(TransitionNotAllowed):
            move(OutboxMessage(status=end), to=OutboxMessage.Status.PENDING, by=SYSTEM, transitions=outbox.TRANSITIONS)
    # A late failure report of a worker that lost the race does not undo the other's success.
    assert not can_move(OutboxMessage.Status.SENT, OutboxMessage.Status.FAILED, by=SYSTEM,
                        transitions=outbox.TRANSITIONS)
    # A send that outlived its lease and the expiry meanwhile went out: it is recorded as sent.
    assert can_move(OutboxMessage.Status.EXPIRED, OutboxMessage.Status.SENT, by=SYSTEM, transitions=outbox.TRANSITIONS)
    assert not can_move(OutboxMessage.Status.EXPIRED, OutboxMessage.Status.FAILED, by=SYSTEM,
                        transitions=outbox.TRANSITIONS)


@pytest.mark.parametrize(
    ("instance", "target", "table"),
    [
        (PermitRequest(status=PermitRequest.Status.APPROVED), PermitRequest.Status.REFUSED, REQUEST_TRANSITIONS),
        (ChangeNotice(status=ChangeNotice.Status.REFUSED), ChangeNotice.Status.APPROVED, CHANGE_TRANSITIONS),
        (CaseFee(status=CaseFee.Status.CANCELLED), CaseFee.Status.PAID, FEE_TRANSITIONS),
        (Certificate(status=Certificate.Status.REVOKED), Certificate.Status.VALID, CERTIFICATE_TRANSITIONS),
        (DataSubjectRequest(status=DataSubjectRequest.Status.DONE), DataSubjectRequest.Status.REFUSED, PRIVACY),
        (ExchangeMessage(status=MessageStatus.REGISTERED), MessageStatus.RETURNED, EXCHANGE),
        (ExchangeMessage(status=MessageStatus.DELIVERED), MessageStatus.QUEUED, EXCHANGE),
        (LetterRecipient(status=RecipientStatus.PAPER), RecipientStatus.DELIVERED, RECIPIENT_TRANSITIONS),
        (ProvisioningJob(status=ProvisioningJob.Status.DONE), ProvisioningJob.Status.QUEUED, JOB_TRANSITIONS),
        (OnboardingDraft(status=OnboardingDraft.Status.SUBMITTED), OnboardingDraft.Status.DISCARDED,
         DRAFT_TRANSITIONS),
        (Municipality(status=MunicipalityStatus.ARCHIVED), MunicipalityStatus.LIVE, TOWN_TRANSITIONS),
        (Municipality(status=MunicipalityStatus.DRAFT), MunicipalityStatus.LIVE, TOWN_TRANSITIONS),
    ],
    ids=lambda value: type(value).__name__ if not isinstance(value, (str, dict)) else None,
)
def test_final_and_skipped_states_are_refused(instance, target, table):
    before = instance.status
    with pytest.raises(TransitionNotAllowed):
        move(instance, to=target, by=SYSTEM, transitions=table)
    assert instance.status == before


@pytest.mark.parametrize(
    ("table", "choices"),
    [
        (REFERRAL_TRANSITIONS, Referral.Status),
        (outbox.TRANSITIONS, OutboxMessage.Status),
        (REQUEST_TRANSITIONS, PermitRequest.Status),
        (CHANGE_TRANSITIONS, ChangeNotice.Status),
        (FEE_TRANSITIONS, CaseFee.Status),
        (CERTIFICATE_TRANSITIONS, Certificate.Status),
        (PRIVACY, DataSubjectRequest.Status),
        (EXCHANGE, MessageStatus),
        (RECIPIENT_TRANSITIONS, RecipientStatus),
        (JOB_TRANSITIONS, ProvisioningJob.Status),
        (DRAFT_TRANSITIONS, OnboardingDraft.Status),
        (TOWN_TRANSITIONS, MunicipalityStatus),
    ],
)
def test_every_status_has_a_row_and_every_target_is_a_status(table, choices):
    assert set(table) == set(choices.values)
    assert {target for targets in table.values() for target in targets} <= set(choices.values)
