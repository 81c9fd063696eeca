"""Banks at the edge: their callbacks (callbacks.py) and their inquiry APIs (inquiry.py)."""

from .callbacks import (
    ADAPTERS,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    Confirmation,
    ConfirmationError,
    load_json,
    sign,
    verify_signature,
)

__all__ = [
    "ADAPTERS",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "Confirmation",
    "ConfirmationError",
    "load_json",
    "sign",
    "verify_signature",
]
