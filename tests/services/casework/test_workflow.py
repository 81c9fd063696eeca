"""Table-driven checks of both services' transition tables."""

from __future__ import annotations

import pytest

from services.building_permits.workflow import TRANSITIONS as PERMIT
from services.casework.models import FINAL_STATUSES, CaseStatus
from services.common.workflow import TransitionNotAllowed, move
from services.food_premises.workflow import TRANSITIONS as FOOD

TABLES = {"building_permit": PERMIT, "food_notification": FOOD}


class Thing:
    def __init__(self, status):
        self.status = status


@pytest.mark.parametrize("name", TABLES)
def test_every_pair_outside_the_table_is_refused(name):
    table = TABLES[name]
    for current in CaseStatus:
        for target in CaseStatus:
            if target in table.get(current, {}):
                continue
            with pytest.raises(TransitionNotAllowed):
                move(Thing(current), to=target, by=None, transitions=table)


@pytest.mark.parametrize("name", TABLES)
def test_every_state_is_reachable_from_draft_and_final_states_have_no_exits(name):
    table = TABLES[name]
    seen, frontier = {CaseStatus.DRAFT}, [CaseStatus.DRAFT]
    while frontier:
        for target in table.get(frontier.pop(), {}):
            if target not in seen:
                seen.add(target)
                frontier.append(target)
    assert seen == set(table)
    for final in FINAL_STATUSES:
        assert not table.get(final)


def test_only_the_system_issues_after_payment_and_decisions_need_the_officials_permission():
    assert PERMIT[CaseStatus.APPROVED] == {CaseStatus.ISSUED: None}
    assert PERMIT[CaseStatus.REVIEWED][CaseStatus.APPROVED] == "building_permits.decide_permit"
    assert FOOD[CaseStatus.ACCEPTED][CaseStatus.APPROVED] == "food_premises.issue_certificate"
