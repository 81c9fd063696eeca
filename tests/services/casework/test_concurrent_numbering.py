"""Certificate numbers stay gapless and unique when many are issued at once (real PostgreSQL, threads).

The threads need committed rows (each has its own connection), so this test does not use the
rolled-back `db` fixture: it commits its cases in town "beta" and removes them afterwards.
"""

from __future__ import annotations

import threading
from decimal import Decimal

from django.db import connection, connections
from django_tenants.utils import tenant_context

from services.accounts.models import User
from services.building_permits.models import BuildingPermitApplication
from services.casework import actions
from services.casework.models import Case, CaseFee, CaseStatus, Certificate
from services.common.models import NumberSeries, StoredFile
from tenants.models import Municipality

ISSUERS = 8
SERIES = "building_permit"


def _approved_paid_case(applicant: User, index: int) -> Case:
    case = Case.objects.create(
        kind="building_permit",
        status=CaseStatus.APPROVED,
        applicant=applicant,
        applicant_name="ผู้ทดสอบ พร้อมกัน",
        applicant_national_id="1101700203450",
        title=f"บ้าน {index}",
        address=f"{index} หมู่ 2",
        latitude=Decimal("12.800000"),
        longitude=Decimal("100.900000"),
        tracking_code=f"BET-BP-T-{index}",
    )
    BuildingPermitApplication.objects.create(
        case=case,
        owner_name="ผู้ทดสอบ พร้อมกัน",
        owner_national_id="1101700203450",
        deed_type="chanote",
        deed_number=str(1000 + index),
        parcel_number="1",
        building_use="house",
        floors=1,
        height_m=Decimal("5"),
        floor_area_m2=Decimal("80"),
        plan_source="own",
        engineer_name="วิศวกร",
        engineer_licence="สย.1",
        holder_name="ผู้ทดสอบ พร้อมกัน",
    )
    CaseFee.objects.create(
        case=case, purpose="issue", period_label="t", amount=Decimal("240.00"), status=CaseFee.Status.PAID
    )
    return case


def test_concurrent_issuing_gives_gapless_unique_numbers(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        town = Municipality.objects.get(slug="beta")
        case_ids: list[int] = []
        try:
            with tenant_context(town):
                NumberSeries.objects.filter(series=SERIES).delete()
                applicant = User.objects.create(username="concurrent-issuer", kind="citizen")
                case_ids = [_approved_paid_case(applicant, i).pk for i in range(ISSUERS)]
            barrier = threading.Barrier(ISSUERS)
            errors: list[BaseException] = []

            def issue(case_id: int) -> None:
                try:
                    with tenant_context(town):
                        barrier.wait(timeout=30)
                        actions.issue_paid_certificate(case_id=case_id)
                except BaseException as exc:  # reported by the assertion below
                    errors.append(exc)
                finally:
                    connections.close_all()

            threads = [threading.Thread(target=issue, args=(case_id,)) for case_id in case_ids]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
            assert not errors, errors
            with tenant_context(town):
                numbers = sorted(
                    Certificate.objects.filter(case_id__in=case_ids).values_list("number", flat=True)
                )
                assert numbers == list(range(1, ISSUERS + 1))
                assert NumberSeries.objects.get(series=SERIES).last_value == ISSUERS
                assert set(Case.objects.filter(pk__in=case_ids).values_list("status", flat=True)) == {
                    CaseStatus.ISSUED
                }
        finally:
            with tenant_context(town):
                pdf_ids = list(
                    Certificate.objects.filter(case_id__in=case_ids).values_list("pdf_id", flat=True)
                )
                Certificate.objects.filter(case_id__in=case_ids).delete()
                CaseFee.objects.filter(case_id__in=case_ids).delete()
                Case.objects.filter(pk__in=case_ids).delete()
                for stored in StoredFile.objects.filter(pk__in=[p for p in pdf_ids if p]):
                    stored.file.delete(save=False)
                    stored.delete()
                User.objects.filter(username="concurrent-issuer").delete()
                NumberSeries.objects.filter(series=SERIES).delete()
            connection.set_schema_to_public()
