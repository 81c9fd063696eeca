"""The letter status table: what is outside it is refused, every state is reachable, finals have no exits."""

from __future__ import annotations

import itertools

import pytest

from services.common.workflow import TransitionNotAllowed, move
from services.correspondence.models import Letter, LetterStatus
from services.correspondence.workflow import FINAL_STATES, TRANSITIONS


class _System:
    def has_perm(self, perm: str) -> bool:
        return True


@pytest.mark.parametrize(("current", "target"), list(itertools.product(LetterStatus.values, repeat=2)))
def test_only_transitions_in_the_table_are_allowed(current, target):
    letter = Letter(status=current)
    if target in TRANSITIONS.get(current, {}):
        move(letter, to=target, by=_System(), transitions=TRANSITIONS)
        assert letter.status == target
    else:
        with pytest.raises(TransitionNotAllowed):
            move(letter, to=target, by=_System(), transitions=TRANSITIONS)


def test_every_state_is_reachable_from_a_starting_state():
    reached = {LetterStatus.DRAFT, LetterStatus.RECEIVED, LetterStatus.REGISTERED}  # where letters are born
    frontier = list(reached)
    while frontier:
        for target in TRANSITIONS.get(frontier.pop(), {}):
            if target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(LetterStatus.values)


def test_final_states_have_no_exits():
    for state in FINAL_STATES:
        assert not TRANSITIONS.get(state)
