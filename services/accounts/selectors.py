"""Reads on accounts."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import User


def staff_directory(*, query: str = "", role: str = "", department_id: int | None = None,
                    include_inactive: bool = False) -> QuerySet[User]:
    """Staff of the current town, searchable by name, e-mail or phone."""
    people = User.objects.filter(kind=User.Kind.STAFF).select_related("department").prefetch_related("groups")
    if not include_inactive:
        people = people.filter(is_active=True)
    if query:
        people = people.filter(
            Q(first_name__icontains=query) | Q(last_name__icontains=query) | Q(email__icontains=query)
            | Q(username__icontains=query) | Q(phone__icontains=query)
        )
    if role:
        people = people.filter(groups__name=role)
    if department_id:
        people = people.filter(department_id=department_id)
    return people.order_by("first_name", "last_name").distinct()
