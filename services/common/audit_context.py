"""Audit attribution across schemas.

django-auditlog's middleware remembers the signed-in user for the whole request and stamps it as the
actor of every log entry. A user belongs to one schema (tenancy rule: users live per town), so when
code running in a request writes in *another* schema — an exchange delivery run eagerly, a
provisioning step — that user's id means nothing there, or worse, names an unrelated person of the
other town. Inside `no_request_actor()` log entries carry no actor; the request's actor is restored
afterwards. The cross-schema code records who acted in its own events instead.
"""

from __future__ import annotations

import contextlib

from auditlog.context import auditlog_value


@contextlib.contextmanager
def no_request_actor():
    # A context whose id matches no connected receiver: auditlog's receiver for the request returns
    # without setting the actor (auditlog.context._set_extra_data compares these ids).
    token = auditlog_value.set({"signal_duid": ("thongthin-no-actor",)})
    try:
        yield
    finally:
        auditlog_value.reset(token)
