"""The directory of agencies: every live town on the platform (read from tenants.Municipality, so
it is never out of date) plus the external agencies kept in ExternalAgency.

A platform town's agency code is its 8-digit LAO code (รหัส อปท.); external agencies use the code
agreed with them (e.g. their e-CMS organisation code).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from tenants.current import current_town
from tenants.models import Municipality, MunicipalityStatus

from .models import ExternalAgency


@dataclass(frozen=True)
class Agency:
    code: str
    name_th: str
    name_en: str
    is_platform_town: bool
    schema_name: str = ""
    endpoint: str = ""
    shared_key: str = ""
    town: Municipality | None = None


def _from_town(town: Municipality) -> Agency:
    return Agency(
        code=town.lao_code,
        name_th=town.name_th,
        name_en=town.name_en,
        is_platform_town=True,
        schema_name=town.schema_name,
        town=town,
    )


def _from_external(agency: ExternalAgency) -> Agency:
    return Agency(
        code=agency.code,
        name_th=agency.name_th,
        name_en=agency.name_en,
        is_platform_town=False,
        endpoint=agency.endpoint,
        shared_key=agency.shared_key,
    )


def find_agency(code: str) -> Agency | None:
    """The live town or active external agency with this code, or None."""
    town = Municipality.objects.filter(lao_code=code, status=MunicipalityStatus.LIVE).first()
    if town is not None:
        return _from_town(town)
    external = ExternalAgency.objects.filter(code=code, is_active=True).first()
    return _from_external(external) if external is not None else None


def agencies(*, query: str = "", exclude_code: str = "") -> list[Agency]:
    """Every live town and active external agency, towns first, filtered by name or code."""
    towns = Municipality.objects.filter(status=MunicipalityStatus.LIVE)
    externals = ExternalAgency.objects.filter(is_active=True)
    if query:
        towns = towns.filter(
            Q(name_th__icontains=query) | Q(name_en__icontains=query) | Q(lao_code__startswith=query)
        )
        externals = externals.filter(
            Q(name_th__icontains=query) | Q(name_en__icontains=query) | Q(code__icontains=query)
        )
    found = [_from_town(t) for t in towns.order_by("name_th")] + [_from_external(a) for a in externals]
    return [a for a in found if a.code != exclude_code]


def current_agency_code() -> str:
    """The agency code of the town whose schema the connection is in ('' on the public schema)."""
    return getattr(current_town(), "lao_code", "") or ""
