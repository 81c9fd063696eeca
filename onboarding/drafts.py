"""From a wizard draft to a town spec (the same shape provision_town and the API take)."""

from __future__ import annotations

from .models import OnboardingDraft


def spec_from_draft(draft: OnboardingDraft) -> dict:
    data = draft.data
    identity = data.get("identity", {})
    area = data.get("area", {})
    people = data.get("people", {})
    spec = {k: v for k, v in identity.items() if k not in ("province", "district")}
    spec.update(data.get("web", {}))
    spec["boundary"] = area.get("boundary")
    spec["communities"] = area.get("communities", [])
    spec["services"] = data.get("services", {})
    spec["departments"] = people.get("departments", [])
    spec["admin"] = people.get("admin", {})
    spec["staff"] = people.get("staff", [])
    spec["branding"] = data.get("branding", {})
    return spec
