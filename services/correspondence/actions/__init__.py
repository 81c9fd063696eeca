"""Writes of e-Saraban, one module per topic: drafting and approval, sending, receiving (exchange
and paper), routing inside the town, retention. One transaction per action; permissions are
checked here so the web pages, the API and the tasks obey the same rules. The names below are the
package's public surface (views, the API and the exchange call `actions.send_letter(...)`)."""

from ..town_settings import saraban_settings
from .drafting import current_approval_step, decide_approval, draft_letter, submit_for_approval
from .receiving import (
    acknowledgement_arrived,
    delivery_progress,
    receive_from_exchange,
    register_paper_letter,
    register_received,
    return_received,
)
from .retention import record_destruction
from .routing import (
    acknowledge_routing,
    circulate_letter,
    close_letter,
    endorse_letter,
    present_letter,
)
from .sending import LETTER_EXCHANGE_KIND, letter_payload, send_letter

__all__ = [
    "LETTER_EXCHANGE_KIND",
    "acknowledge_routing",
    "acknowledgement_arrived",
    "circulate_letter",
    "close_letter",
    "current_approval_step",
    "decide_approval",
    "delivery_progress",
    "draft_letter",
    "endorse_letter",
    "letter_payload",
    "present_letter",
    "receive_from_exchange",
    "record_destruction",
    "register_paper_letter",
    "register_received",
    "return_received",
    "saraban_settings",
    "send_letter",
    "submit_for_approval",
]
