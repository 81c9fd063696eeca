"""Who acts next on a case: read from the case's own transition table, so the page that shows it
cannot drift from what move() allows.

Each step out of the current status names the status it leads to and who may take it: the roles
holding the step's permission (from every app's `role_permissions`), or — for a step without a
permission — the person the case type names for it (the applicant, the payer, the system)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import translation

from services.accounts.roles import role_label, roles_holding


@dataclass(frozen=True)
class NextStep:
    target: str
    target_label: str
    actors: tuple[str, ...]  # role labels, or the named actor for a step without a permission
    yours: bool  # the person looking may take it


def next_steps(*, current, transitions, labels, user=None, unpermissioned: dict | None = None) -> list[NextStep]:
    """The steps out of `current`. `labels` maps a status to its display label; `unpermissioned`
    maps a target status to who takes a step without a permission (default: the system)."""
    language = "en" if translation.get_language() == "en" else "th"
    steps = []
    for target, permission in transitions.get(current, {}).items():
        if permission is None:
            actor = (unpermissioned or {}).get(target) or translation.gettext("ระบบ (อัตโนมัติ)")
            actors: tuple[str, ...] = (str(actor),)
            yours = False
        else:
            actors = tuple(role_label(role.code, language) for role in roles_holding(permission))
            yours = bool(user is not None and user.has_perm(permission))
        steps.append(NextStep(target=target, target_label=str(labels(target)), actors=actors, yours=yours))
    return steps
