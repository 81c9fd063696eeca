"""Reads of the shared case journey; who may see what is enforced here."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from .actions.common import today
from .models import Case, CaseDocument, CaseStatus, Certificate, DocumentRequirement
from .registry import case_type_for


def cases_for_applicant(*, user, kind: str | None = None) -> QuerySet[Case]:
    """My requests: the cases the signed-in person filed."""
    cases = Case.objects.filter(applicant=user).select_related("certificate")
    return cases.filter(kind=kind) if kind else cases


def case_for_applicant(*, user, public_id, kind: str) -> Case:
    case = Case.objects.filter(applicant=user, public_id=public_id, kind=kind).first()
    if case is None:
        raise Http404
    return case


def may_view_cases(user, kind: str) -> bool:
    return bool(
        user.is_authenticated
        and getattr(user, "is_staff_member", False)
        and (user.has_perm(case_type_for(kind).view_permission) or user.has_perm("casework.view_all_cases"))
    )


def cases_for_staff(
    *, user, kind: str, status: str = "", query: str = "", overdue_only: bool = False
) -> QuerySet[Case]:
    """The back-office work list of one service (submitted work first, then by deadline)."""
    if not may_view_cases(user, kind):
        raise PermissionDenied
    cases = Case.objects.filter(kind=kind).exclude(status=CaseStatus.DRAFT).select_related("assigned_to")
    if status:
        cases = cases.filter(status=status)
    if query:
        cases = cases.filter(
            Q(tracking_code__icontains=query)
            | Q(title__icontains=query)
            | Q(applicant_name__icontains=query)
            | Q(address__icontains=query)
        )
    if overdue_only:
        cases = cases.filter(
            due_date__lt=today(),
            status__in=[CaseStatus.SUBMITTED, CaseStatus.ACCEPTED, CaseStatus.INSPECTED, CaseStatus.REVIEWED],
        )
    return cases.order_by("due_date", "-submitted_at")


def case_for_staff(*, user, public_id, kind: str) -> Case:
    if not may_view_cases(user, kind):
        raise PermissionDenied
    case = Case.objects.filter(public_id=public_id, kind=kind).exclude(status=CaseStatus.DRAFT).first()
    if case is None:
        raise Http404
    return case


def checklist(case: Case) -> list[dict]:
    """Each checklist line with its current upload and the superseded ones (history kept)."""
    case_type = case_type_for(case.kind)
    documents = list(CaseDocument.objects.filter(case=case).select_related("file", "requirement"))
    rows = []
    for requirement in DocumentRequirement.objects.filter(kind=case.kind, is_active=True):
        if not case_type.requirement_applies(case, requirement):
            continue
        mine = [d for d in documents if d.requirement_id == requirement.pk]
        rows.append(
            {
                "requirement": requirement,
                "current": next((d for d in reversed(mine) if not d.is_superseded), None),
                "history": [d for d in mine if d.is_superseded],
            }
        )
    return rows


def public_register(*, kind: str, query: str = "") -> QuerySet[Certificate]:
    """Issued certificates for the public register: numbers, places and dates, no personal data."""
    certificates = Certificate.objects.filter(kind=kind).only(
        "series",
        "be_year",
        "number",
        "issued_on",
        "valid_until",
        "status",
        "public_summary",
        "verification_token",
        "kind",
    )
    if query:
        certificates = certificates.filter(
            Q(public_summary__location__icontains=query) | Q(public_summary__name__icontains=query)
        )
        if "/" in query:
            number, _sep, year = query.partition("/")
            if number.strip().isdigit() and year.strip().isdigit():
                certificates = Certificate.objects.filter(kind=kind, number=int(number), be_year=int(year))
    return certificates.order_by("-be_year", "-number")


def certificate_by_token(*, kind: str, token: str) -> Certificate:
    certificate = (
        Certificate.objects.filter(kind=kind, verification_token=token).select_related("case").first()
    )
    if certificate is None:
        raise Http404
    return certificate


def verification_state(certificate: Certificate) -> dict:
    """What the public verification page says: valid or not, and why not."""
    if certificate.status == Certificate.Status.REVOKED:
        return {"valid": False, "label": "ถูกเพิกถอน (Revoked)", "reason": certificate.status_reason}
    if certificate.status == Certificate.Status.SUSPENDED:
        return {"valid": False, "label": "ถูกสั่งหยุด/พักใช้ (Suspended)", "reason": certificate.status_reason}
    if certificate.is_expired():
        return {"valid": False, "label": "หมดอายุ (Expired)", "reason": ""}
    return {"valid": True, "label": "ใช้ได้ (Valid)", "reason": ""}
