"""Status tables of onboarding: a wizard draft, a provisioning job and the town itself. Every move
is fired by the pipeline (the system) or by a platform admin whose view checked the role already;
services.common.workflow.move / bulk_move apply them."""

from __future__ import annotations

from typing import Final

from tenants.models import MunicipalityStatus as T

from .models import OnboardingDraft, ProvisioningJob

D = OnboardingDraft.Status
# A draft is submitted once (its job is the record from then on) or discarded while open.
DRAFT_TRANSITIONS: Final = {
    D.OPEN: {D.SUBMITTED: None, D.DISCARDED: None},
    D.SUBMITTED: {},
    D.DISCARDED: {},
}

J = ProvisioningJob.Status
# Queued (again: a lost message, a stalled or failed run), running (a worker took it, or resumed a
# run whose worker died), then done or failed. Done is final: steps are never run twice after it.
JOB_TRANSITIONS: Final = {
    J.READY: {J.QUEUED: None, J.RUNNING: None},
    J.QUEUED: {J.QUEUED: None, J.RUNNING: None},
    J.RUNNING: {J.QUEUED: None, J.RUNNING: None, J.DONE: None, J.FAILED: None},
    J.FAILED: {J.QUEUED: None, J.RUNNING: None},
    J.DONE: {},
}

# Registered as a draft, provisioned by the pipeline, live at its last step; then suspended,
# reactivated or archived by a platform admin, with a reason (TownStatusChange). Archived is final.
TOWN_TRANSITIONS: Final = {
    T.DRAFT: {T.PROVISIONING: None},
    T.PROVISIONING: {T.LIVE: None},
    T.LIVE: {T.SUSPENDED: None, T.ARCHIVED: None},
    T.SUSPENDED: {T.LIVE: None, T.ARCHIVED: None},
    T.ARCHIVED: {},
}
