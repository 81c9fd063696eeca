"""Writes of the building permit service; the common journey is in services.casework.actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from services.casework import actions as casework
from services.casework import notifications
from services.casework.geo import is_inside_boundary
from services.casework.models import Case, CaseEvent, CaseKind, CaseStatus, Certificate
from services.common.buddhist_era import format_be_long
from services.common.thai_id import is_valid_thai_id, normalize_thai_id
from services.common.workflow import move
from tenants.current import current_town

from .models import (
    MAX_FLOOR_AREA_M2,
    MAX_FLOORS,
    MAX_HEIGHT_M,
    BuildingPermitApplication,
    BuildingUse,
    DeedType,
    PermitRequest,
    PlanSource,
    StandardHousePlan,
)
from .workflow import REQUEST_TRANSITIONS

APPLICANT_FIELDS = ("applicant_name", "applicant_national_id", "applicant_phone", "applicant_email")
CASE_FIELDS = ("address", "latitude", "longitude")
DETAIL_FIELDS = (
    "applicant_is_owner",
    "owner_name",
    "owner_national_id",
    "deed_type",
    "deed_number",
    "parcel_number",
    "survey_page",
    "building_use",
    "floors",
    "height_m",
    "floor_area_m2",
    "plan_source",
    "standard_plan",
    "engineer_name",
    "engineer_licence",
    "architect_name",
    "architect_licence",
)

OVER_AREA_MESSAGE = _(
    "อาคารพื้นที่รวมเกิน 150 ตารางเมตร ไม่อยู่ในบริการนี้ กรุณายื่นคำขออนุญาตก่อสร้างตามขั้นตอนปกติ "
    "(แบบ ข.1 ที่กองช่าง) ตามมาตรา 21 พ.ร.บ.ควบคุมอาคาร พ.ศ. 2522 "
    "(Buildings over 150 m² are not covered here: apply through the regular permit process at the town's "
    "engineering division)"
)


def _decimal(value: Any, field: str, errors: dict) -> Decimal | None:
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors[field] = _("ต้องเป็นตัวเลข (Must be a number)")
        return None


def clean_application(data: dict) -> dict:
    """Check an application against the service's rules; returns cleaned values or raises a
    ValidationError listing every field at fault (nothing is saved then)."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name in ("applicant_name", "address", "deed_number", "parcel_number"):
        value = str(data.get(name) or "").strip()
        if not value:
            errors[name] = _("กรุณากรอกข้อมูล (Required)")
        out[name] = value
    for name in (
        "applicant_phone",
        "applicant_email",
        "survey_page",
        "engineer_name",
        "engineer_licence",
        "architect_name",
        "architect_licence",
        "owner_name",
    ):
        out[name] = str(data.get(name) or "").strip()
    out["applicant_national_id"] = normalize_thai_id(str(data.get("applicant_national_id") or ""))
    if not is_valid_thai_id(out["applicant_national_id"]):
        errors["applicant_national_id"] = _("เลขประจำตัวประชาชนไม่ถูกต้อง (Invalid national ID)")
    out["applicant_is_owner"] = data.get("applicant_is_owner") in (True, "true", "on", "1", 1, "True")
    if out["applicant_is_owner"]:
        out["owner_name"] = out["owner_name"] or out["applicant_name"]
        out["owner_national_id"] = (
            normalize_thai_id(str(data.get("owner_national_id") or "")) or out["applicant_national_id"]
        )
    else:
        out["owner_national_id"] = normalize_thai_id(str(data.get("owner_national_id") or ""))
        if not out["owner_name"]:
            errors["owner_name"] = _("กรุณากรอกชื่อเจ้าของที่ดิน (Enter the land owner's name)")
    if not is_valid_thai_id(out["owner_national_id"]):
        errors["owner_national_id"] = _("เลขประจำตัวประชาชนเจ้าของที่ดินไม่ถูกต้อง (Invalid owner national ID)")
    for name, choices in (
        ("deed_type", DeedType),
        ("building_use", BuildingUse),
        ("plan_source", PlanSource),
    ):
        out[name] = str(data.get(name) or "")
        if out[name] not in choices.values:
            errors[name] = _("กรุณาเลือกจากรายการ (Choose from the list)")
    area = _decimal(data.get("floor_area_m2"), "floor_area_m2", errors)
    if area is not None:
        if area > MAX_FLOOR_AREA_M2:
            errors["floor_area_m2"] = OVER_AREA_MESSAGE
        elif area < 1:
            errors["floor_area_m2"] = _("พื้นที่ต้องมากกว่า 0 (Area must be positive)")
    out["floor_area_m2"] = area
    height = _decimal(data.get("height_m"), "height_m", errors)
    if height is not None and not (Decimal("2") <= height <= MAX_HEIGHT_M):
        errors["height_m"] = _("ความสูงต้องอยู่ระหว่าง 2 ถึง 15 เมตร (Height must be 2–15 m)")
    out["height_m"] = height
    try:
        floors = int(str(data.get("floors")).strip())
    except (TypeError, ValueError):
        floors = None
    if floors is None or not 1 <= floors <= MAX_FLOORS:
        errors["floors"] = _("จำนวนชั้น 1–3 ชั้น (1 to 3 floors)")
    out["floors"] = floors
    latitude = _decimal(data.get("latitude"), "latitude", errors)
    longitude = _decimal(data.get("longitude"), "longitude", errors)
    if latitude is not None and longitude is not None:
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            errors["latitude"] = _("พิกัดไม่ถูกต้อง (Invalid coordinates)")
        elif not is_inside_boundary(
            getattr(current_town(), "boundary", None), latitude=latitude, longitude=longitude
        ):
            errors["latitude"] = _(
                "ตำแหน่งที่ปักหมุดอยู่นอกเขตพื้นที่ของเทศบาล/อบต. นี้ (The pin is outside this town's boundary)"
            )
        out["latitude"], out["longitude"] = (
            latitude.quantize(Decimal("0.000001")),
            longitude.quantize(Decimal("0.000001")),
        )
    out["standard_plan"] = None
    if out.get("plan_source") == PlanSource.STANDARD:
        plan = (
            StandardHousePlan.objects.filter(pk=data.get("standard_plan") or None, is_active=True).first()
            if str(data.get("standard_plan") or "").isdigit()
            else None
        )
        if plan is None:
            errors["standard_plan"] = _("กรุณาเลือกแบบบ้านมาตรฐาน (Choose a standard plan)")
        else:
            # The building is the plan: its floors, height and area are the plan's, whatever was typed.
            out["floors"], out["height_m"], out["floor_area_m2"] = (
                plan.floors,
                plan.height_m,
                plan.floor_area_m2,
            )
            for name in ("floors", "height_m", "floor_area_m2"):
                errors.pop(name, None)
        out["standard_plan"] = plan
    elif out.get("plan_source") == PlanSource.OWN and not (out["engineer_name"] and out["engineer_licence"]):
        # Building Control Act s.26: plans in the controlled professions must name licensed designers.
        errors["engineer_licence"] = _(
            "แบบแปลนของผู้ยื่นเองต้องระบุชื่อและเลขทะเบียนวิศวกรผู้ออกแบบ "
            "(Own plans need the licensed engineer's name and licence number)"
        )
    if errors:
        raise ValidationError(errors)
    return out


def _title(values: dict) -> str:
    use = BuildingUse(values["building_use"]).label
    return f"{use} {values['floors']} ชั้น {values['floor_area_m2']} ตร.ม."


@transaction.atomic
def save_application_draft(*, by, data: dict, case_id: int | None = None) -> Case:
    """Create or update the applicant's draft (also while it is returned for fixes)."""
    if by is None or not by.is_authenticated:
        raise PermissionDenied
    values = clean_application(data)
    if case_id is None:
        case = Case(kind=CaseKind.BUILDING_PERMIT, applicant=by)
    else:
        case = Case.objects.select_for_update().get(pk=case_id, kind=CaseKind.BUILDING_PERMIT)
        if case.applicant_id != by.pk:
            raise PermissionDenied
        if case.status not in (CaseStatus.DRAFT, CaseStatus.RETURNED):
            raise ValidationError(
                _("แก้ไขได้เฉพาะคำขอที่ยังไม่ยื่นหรือถูกส่งกลับ (Only drafts or returned applications can be edited)")
            )
    for name in APPLICANT_FIELDS + CASE_FIELDS:
        setattr(case, name, values[name])
    case.title = _title(values)
    case.save()
    detail = BuildingPermitApplication.objects.filter(case=case).first() or BuildingPermitApplication(
        case=case
    )
    for name in DETAIL_FIELDS:
        setattr(detail, name, values[name])
    detail.holder_name = values["applicant_name"]  # the permit is made out to the applicant (อ.1)
    detail.full_clean(exclude=["case"])
    detail.save()
    if case.status == CaseStatus.RETURNED:
        casework.record_event(case, CaseEvent.Kind.DOCUMENT, _("ผู้ยื่นแก้ไขข้อมูลคำขอ"), by=by)
    return case


@transaction.atomic
def request_permit_change(
    *,
    certificate_id: int,
    by,
    kind: str,
    reason: str,
    new_holder_name: str = "",
    new_holder_national_id: str = "",
) -> PermitRequest:
    """The permit holder asks to renew (s.35, before expiry) or to transfer (s.36) the permit."""
    certificate = (
        Certificate.objects.select_for_update()
        .select_related("case")
        .get(pk=certificate_id, kind=CaseKind.BUILDING_PERMIT)
    )
    if certificate.case.applicant_id != by.pk:
        raise PermissionDenied
    if certificate.status != Certificate.Status.VALID:
        raise ValidationError(_("ใบอนุญาตนี้ไม่อยู่ในสถานะใช้ได้ (This permit is not valid)"))
    if kind not in PermitRequest.Kind.values:
        raise ValidationError({"kind": _("ประเภทคำขอไม่ถูกต้อง (Unknown request kind)")})
    if not reason.strip():
        raise ValidationError({"reason": _("กรุณาระบุเหตุผล (Give a reason)")})
    if kind == PermitRequest.Kind.EXTENSION and certificate.is_expired():
        # Building Control Act s.35: renewal must be requested before the permit expires.
        raise ValidationError(_("ต้องยื่นขอต่ออายุก่อนใบอนุญาตสิ้นอายุ (Renewal must be requested before expiry)"))
    if kind == PermitRequest.Kind.TRANSFER:
        new_holder_national_id = normalize_thai_id(new_holder_national_id)
        if not new_holder_name.strip():
            raise ValidationError({"new_holder_name": _("กรุณากรอกชื่อผู้รับโอน (Enter the new holder)")})
        if not is_valid_thai_id(new_holder_national_id):
            raise ValidationError(
                {"new_holder_national_id": _("เลขประจำตัวประชาชนไม่ถูกต้อง (Invalid national ID)")}
            )
    if certificate.permit_requests.filter(status=PermitRequest.Status.PENDING, kind=kind).exists():
        raise ValidationError(_("มีคำขอประเภทนี้รอพิจารณาอยู่แล้ว (A request of this kind is already pending)"))
    request = PermitRequest.objects.create(
        certificate=certificate,
        kind=kind,
        reason=reason.strip(),
        new_holder_name=new_holder_name.strip(),
        new_holder_national_id=new_holder_national_id if kind == PermitRequest.Kind.TRANSFER else "",
        requested_by=by,
    )
    casework.record_event(
        certificate.case, CaseEvent.Kind.NOTE, _("ยื่น%(kind)s") % {"kind": request.get_kind_display()}, by=by
    )
    return request


@transaction.atomic
def decide_permit_request(*, request_id: int, by, approve: bool, note: str = "") -> PermitRequest:
    """The official grants or refuses a renewal (s.35) or transfer (s.36); the PDF is re-rendered."""
    if not by.has_perm("building_permits.decide_permit_request"):
        raise PermissionDenied
    request = PermitRequest.objects.select_for_update().select_related("certificate__case").get(pk=request_id)
    if request.status != PermitRequest.Status.PENDING:
        raise ValidationError(_("คำขอนี้พิจารณาแล้ว (Already decided)"))
    if not approve and not note.strip():
        raise ValidationError({"note": _("กรุณาระบุเหตุผลที่ไม่อนุญาต (Give the reason for refusing)")})
    target = PermitRequest.Status.APPROVED if approve else PermitRequest.Status.REFUSED
    move(request, to=target, by=by, transitions=REQUEST_TRANSITIONS)
    request.decided_by, request.decided_at, request.decision_note = by, timezone.now(), note
    request.save()
    certificate = request.certificate
    case = certificate.case
    if approve and request.kind == PermitRequest.Kind.EXTENSION:
        days = casework.settings_for(case.kind).certificate_validity_days or 365
        base = max(certificate.valid_until or casework.today(), casework.today())
        certificate.valid_until = base + dt.timedelta(days=days)
        certificate.save(update_fields=["valid_until"])
    elif approve and request.kind == PermitRequest.Kind.TRANSFER:
        detail = case.building_permit
        detail.holder_name = request.new_holder_name
        detail.save(update_fields=["holder_name"])
        certificate.holder_name = request.new_holder_name
        certificate.save(update_fields=["holder_name"])
    if approve:
        casework.rerender_certificate(certificate_id=certificate.pk, by=by)
    message = _("%(kind)s: %(result)s") % {
        "kind": request.get_kind_display(),
        "result": request.get_status_display(),
    }
    if approve and request.kind == PermitRequest.Kind.EXTENSION:
        message += _(" ใช้ได้ถึงวันที่ %(date)s") % {"date": format_be_long(certificate.valid_until)}
    casework.record_event(case, CaseEvent.Kind.CERTIFICATE, f"{message} {note}".strip(), by=by)
    notifications.notify_applicant(
        case, subject=request.get_kind_display(), body=message, key=f"permit-request:{request.pk}"
    )
    return request


@transaction.atomic
def notify_supervisor(
    *, case_id: int, by, supervisor_name: str, starts_on: dt.date, ends_on: dt.date
) -> Case:
    """Building Control Act s.29: the holder names the work supervisor and the start/end dates."""
    case = Case.objects.select_for_update().get(pk=case_id, kind=CaseKind.BUILDING_PERMIT)
    if case.applicant_id != by.pk:
        raise PermissionDenied
    if case.status != CaseStatus.ISSUED:
        raise ValidationError(_("แจ้งได้หลังได้รับใบอนุญาตแล้ว (Only after the permit is issued)"))
    if not supervisor_name.strip():
        raise ValidationError({"supervisor_name": _("กรุณากรอกชื่อผู้ควบคุมงาน (Enter the supervisor)")})
    if ends_on < starts_on:
        raise ValidationError({"work_ends_on": _("วันสิ้นสุดต้องไม่ก่อนวันเริ่ม (End before start)")})
    detail = case.building_permit
    detail.supervisor_name, detail.work_starts_on, detail.work_ends_on = (
        supervisor_name.strip(),
        starts_on,
        ends_on,
    )
    detail.save(update_fields=["supervisor_name", "work_starts_on", "work_ends_on"])
    casework.record_event(
        case,
        CaseEvent.Kind.NOTE,
        _("แจ้งผู้ควบคุมงาน %(name)s เริ่ม %(start)s สิ้นสุด %(end)s")
        % {"name": supervisor_name, "start": format_be_long(starts_on), "end": format_be_long(ends_on)},
        by=by,
    )
    return case
