"""Status table of an exchange message: queued until delivered once (or given up after
MAX_ATTEMPTS); then the recipient's acknowledgement says registered or returned. Every move is the
system's (delivery tasks, acknowledgements); who may send is checked when the message is written."""

from __future__ import annotations

from typing import Final

from .models import MessageStatus as M

# An acknowledgement is the recipient's word that it holds the message: it is recorded whatever our
# delivery record says (an outside agency may answer before our POST's reply was read, or after
# we gave up on a reply that never came).
TRANSITIONS: Final = {
    M.QUEUED: {M.DELIVERED: None, M.FAILED: None, M.REGISTERED: None, M.RETURNED: None},
    M.DELIVERED: {M.REGISTERED: None, M.RETURNED: None},
    M.FAILED: {M.REGISTERED: None, M.RETURNED: None},
    M.REGISTERED: {},
    M.RETURNED: {},
}
