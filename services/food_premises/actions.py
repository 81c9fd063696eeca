"""Writes of the food premises service; the common journey is in services.casework.actions."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from services.casework import actions as casework
from services.casework import billing, notifications
from services.casework.fees import NoRateConfigured
from services.casework.geo import is_inside_boundary
from services.casework.models import Case, CaseEvent, CaseFee, CaseKind, CaseStatus, Certificate
from services.common.buddhist_era import format_be_long
from services.common.money import format_baht
from services.common.thai_id import is_valid_thai_id, normalize_thai_id
from services.common.workflow import move
from tenants.current import current_town

from .case_type import KIND, compute_fee, fee_period
from .models import (
    MAX_AREA_M2,
    BusinessKind,
    ChangeNotice,
    FoodPremisesNotification,
    HygieneChecklistItem,
    OperatorType,
)
from .town_setup import late_surcharge_percent
from .workflow import CHANGE_TRANSITIONS

OVER_AREA_MESSAGE = _(
    "สถานที่พื้นที่เกิน 200 ตารางเมตร ต้องขอใบอนุญาตจัดตั้งสถานที่จำหน่ายอาหาร ไม่ใช่การแจ้ง "
    "(มาตรา 38 พ.ร.บ.การสาธารณสุข พ.ศ. 2535) ติดต่อกองสาธารณสุขฯ "
    "(Premises over 200 m² need a licence, not a notification: contact the public health division)"
)


def clean_notification(data: dict) -> dict:
    """Check a notification; returns cleaned values or raises a ValidationError of every fault."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name in ("applicant_name", "operator_name", "premises_name", "address", "food_types"):
        out[name] = str(data.get(name) or "").strip()
        if not out[name]:
            errors[name] = _("กรุณากรอกข้อมูล (Required)")
    for name in ("applicant_phone", "applicant_email"):
        out[name] = str(data.get(name) or "").strip()
    out["applicant_national_id"] = normalize_thai_id(str(data.get("applicant_national_id") or ""))
    if not is_valid_thai_id(out["applicant_national_id"]):
        errors["applicant_national_id"] = _("เลขประจำตัวประชาชนไม่ถูกต้อง (Invalid national ID)")
    out["operator_type"] = str(data.get("operator_type") or "")
    if out["operator_type"] not in OperatorType.values:
        errors["operator_type"] = _("กรุณาเลือกจากรายการ (Choose from the list)")
    out["operator_id"] = normalize_thai_id(str(data.get("operator_id") or "")) or (
        out["applicant_national_id"] if out["operator_type"] == OperatorType.PERSON else ""
    )
    if not is_valid_thai_id(out["operator_id"]):
        # Juristic-person registration numbers use the same 13-digit mod-11 check.
        errors["operator_id"] = _("เลขประจำตัวผู้ประกอบการไม่ถูกต้อง (Invalid operator ID)")
    out["business_kind"] = str(data.get("business_kind") or "")
    if out["business_kind"] not in BusinessKind.values:
        errors["business_kind"] = _("กรุณาเลือกจากรายการ (Choose from the list)")
    try:
        area = Decimal(str(data.get("area_m2")).strip())
    except (InvalidOperation, ValueError):
        area = None
        errors["area_m2"] = _("ต้องเป็นตัวเลข (Must be a number)")
    if area is not None:
        if area > MAX_AREA_M2:
            errors["area_m2"] = OVER_AREA_MESSAGE
        elif area < 1:
            errors["area_m2"] = _("พื้นที่ต้องมากกว่า 0 (Area must be positive)")
    out["area_m2"] = area
    for name, low, high in (("seats", 0, 2000), ("staff_count", 1, 500)):
        try:
            value = int(str(data.get(name, "")).strip())
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            errors[name] = _("ต้องเป็นจำนวนเต็ม %(low)s–%(high)s (Whole number %(low)s–%(high)s)") % {
                "low": low,
                "high": high,
            }
        out[name] = value
    try:
        latitude = Decimal(str(data.get("latitude")).strip())
        longitude = Decimal(str(data.get("longitude")).strip())
    except (InvalidOperation, ValueError):
        errors["latitude"] = _("กรุณาปักหมุดตำแหน่ง (Pin the location)")
    else:
        if not is_inside_boundary(
            getattr(current_town(), "boundary", None), latitude=latitude, longitude=longitude
        ):
            errors["latitude"] = _(
                "ตำแหน่งที่ปักหมุดอยู่นอกเขตพื้นที่ของเทศบาล/อบต. นี้ (The pin is outside this town's boundary)"
            )
        out["latitude"], out["longitude"] = (
            latitude.quantize(Decimal("0.000001")),
            longitude.quantize(Decimal("0.000001")),
        )
    answers = data.get("hygiene_self_check") or {}
    out["hygiene_self_check"] = [
        {
            "code": item.code,
            "title": item.title_th,
            "ok": str(answers.get(item.code, "")).lower() in ("1", "true", "on", "yes"),
        }
        for item in HygieneChecklistItem.objects.filter(is_active=True)
    ]
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def save_notification_draft(*, by, data: dict, case_id: int | None = None) -> Case:
    """Create or update the operator's draft notification (also while it is returned for fixes)."""
    if by is None or not by.is_authenticated:
        raise PermissionDenied
    values = clean_notification(data)
    if case_id is None:
        case = Case(kind=CaseKind.FOOD_NOTIFICATION, applicant=by)
    else:
        case = Case.objects.select_for_update().get(pk=case_id, kind=CaseKind.FOOD_NOTIFICATION)
        if case.applicant_id != by.pk:
            raise PermissionDenied
        if case.status not in (CaseStatus.DRAFT, CaseStatus.RETURNED):
            raise ValidationError(
                _("แก้ไขได้เฉพาะคำขอที่ยังไม่ยื่นหรือถูกส่งกลับ (Only drafts or returned notifications can be edited)")
            )
    for name in (
        "applicant_name",
        "applicant_national_id",
        "applicant_phone",
        "applicant_email",
        "address",
        "latitude",
        "longitude",
    ):
        setattr(case, name, values[name])
    case.title = (
        f"{values['premises_name']} ({BusinessKind(values['business_kind']).label} {values['area_m2']} ตร.ม.)"
    )
    case.save()
    detail = FoodPremisesNotification.objects.filter(case=case).first() or FoodPremisesNotification(case=case)
    for name in (
        "operator_type",
        "operator_name",
        "operator_id",
        "premises_name",
        "business_kind",
        "area_m2",
        "food_types",
        "seats",
        "staff_count",
        "hygiene_self_check",
    ):
        setattr(detail, name, values[name])
    detail.holder_name = values["operator_name"]
    detail.full_clean(exclude=["case"])
    detail.save()
    if case.status == CaseStatus.RETURNED:
        casework.record_event(case, CaseEvent.Kind.DOCUMENT, _("ผู้แจ้งแก้ไขข้อมูล"), by=by)
    return case


# --- Periodic fee (Public Health Act s.65) -----------------------------------------------------


def _consecutive_unpaid(case: Case, day: dt.date) -> int:
    """How many of the latest periods in a row are unpaid past their due date."""
    count = 0
    past_due = case.fees.filter(
        purpose__in=[CaseFee.Purpose.PERIODIC, CaseFee.Purpose.ISSUE], due_date__lt=day
    )
    for fee in past_due.order_by("-due_date"):
        if fee.status != CaseFee.Status.DUE:
            break
        count += 1
    return count


def run_fee_cycle(day: dt.date | None = None) -> dict:
    """Bill each certified premises for the current period, remind before the due date, add the
    town's surcharge (s.65: 20 % unless it set its own) once a fee is late, and suspend when too many periods in a row are unpaid."""
    day = day or casework.today()
    settings = casework.settings_for(KIND)
    label, start = fee_period(day, settings.fee_period_months)
    percent = late_surcharge_percent(settings)
    percent_text = f"{percent.normalize():f}"
    counts = {"billed": 0, "reminded": 0, "surcharged": 0, "suspended": 0}
    certificate_ids = (
        Certificate.objects.filter(kind=KIND)
        .exclude(status=Certificate.Status.REVOKED)
        .values_list("pk", flat=True)
    )
    for certificate_id in certificate_ids:
        with transaction.atomic():
            certificate = (
                Certificate.objects.select_for_update(skip_locked=True)
                .select_related("case")
                .filter(pk=certificate_id)
                .first()
            )
            if certificate is None:
                continue
            case = certificate.case
            if not case.fees.filter(
                period_label=label, purpose__in=[CaseFee.Purpose.ISSUE, CaseFee.Purpose.PERIODIC]
            ).exists():
                try:
                    quote = compute_fee(case, day)
                except NoRateConfigured:
                    continue
                fee = CaseFee.objects.create(
                    case=case,
                    purpose=CaseFee.Purpose.PERIODIC,
                    period_label=label,
                    amount=quote.total,
                    lines=[line.as_dict() for line in quote.lines],
                    rate_version=quote.rate_version,
                    due_date=start + dt.timedelta(days=settings.fee_due_days),
                )
                billing.raise_fee_invoice(fee)
                casework.record_event(
                    case,
                    CaseEvent.Kind.FEE,
                    _("ค่าธรรมเนียมงวด %(label)s %(amount)s บาท ชำระภายใน %(date)s")
                    % {"label": label, "amount": format_baht(fee.amount), "date": format_be_long(fee.due_date)},
                )
                counts["billed"] += 1
            for fee in case.fees.filter(
                status=CaseFee.Status.DUE,
                reminded_at__isnull=True,
                purpose=CaseFee.Purpose.PERIODIC,
                due_date__gte=day,
                due_date__lte=day + dt.timedelta(days=settings.reminder_days),
            ):
                notifications.notify_applicant(
                    case,
                    subject=_("แจ้งเตือนชำระค่าธรรมเนียม"),
                    body=_(
                        "ค่าธรรมเนียมหนังสือรับรองการแจ้ง งวด %(label)s %(amount)s บาท ครบกำหนด %(date)s "
                        "หากชำระล่าช้าต้องเสียเงินเพิ่มร้อยละ %(percent)s"
                    )
                    % {
                        "percent": percent_text,
                        "label": fee.period_label,
                        "amount": format_baht(fee.amount),
                        "date": format_be_long(fee.due_date),
                    },
                    key=f"fee-reminder:{fee.pk}",
                )
                fee.reminded_at = timezone.now()
                fee.save(update_fields=["reminded_at"])
                counts["reminded"] += 1
            for fee in case.fees.filter(
                status=CaseFee.Status.DUE,
                due_date__lt=day,
                purpose__in=[CaseFee.Purpose.PERIODIC, CaseFee.Purpose.ISSUE],
            ).exclude(surcharges__isnull=False):
                if fee.purpose == CaseFee.Purpose.ISSUE and case.status != CaseStatus.ISSUED:
                    continue
                amount = (fee.amount * percent / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
                surcharge = CaseFee.objects.create(
                    case=case,
                    purpose=CaseFee.Purpose.SURCHARGE,
                    parent=fee,
                    period_label=fee.period_label,
                    amount=amount,
                    rate_version=_("พ.ร.บ.การสาธารณสุข พ.ศ. 2535 มาตรา 65 (ร้อยละ %(percent)s)")
                    % {"percent": percent_text},
                    lines=[
                        {
                            "fee_code": "late_surcharge",
                            "description": _("เงินเพิ่มร้อยละ %(percent)s งวด %(label)s")
                            % {"percent": percent_text, "label": fee.period_label},
                            "quantity": "1",
                            "unit_price": str(amount),
                            "amount": str(amount),
                        }
                    ],
                    due_date=day + dt.timedelta(days=settings.fee_due_days),
                )
                billing.raise_fee_invoice(surcharge)
                casework.record_event(
                    case,
                    CaseEvent.Kind.FEE,
                    _("ชำระล่าช้า เงินเพิ่มร้อยละ %(percent)s: %(amount)s บาท")
                    % {"percent": percent_text, "amount": format_baht(amount)},
                )
                counts["surcharged"] += 1
            unpaid = _consecutive_unpaid(case, day)
            if (
                certificate.status == Certificate.Status.VALID
                and unpaid >= settings.suspend_after_unpaid_periods
            ):
                # s.65: unpaid fees for more than two periods in a row → stop order until paid.
                casework.suspend_certificate(
                    certificate=certificate,
                    by=None,
                    reason=_(
                        "ค้างชำระค่าธรรมเนียมติดต่อกัน %(n)s งวด ให้หยุดดำเนินกิจการจนกว่าจะชำระครบ "
                        "(มาตรา 65 พ.ร.บ.การสาธารณสุข พ.ศ. 2535)"
                    )
                    % {"n": unpaid},
                )
                counts["suspended"] += 1
    return counts


# --- Changes of operator or premises ----------------------------------------------------------


@transaction.atomic
def request_change(
    *,
    certificate_id: int,
    by,
    kind: str,
    new_operator_name: str = "",
    new_operator_id: str = "",
    new_premises_name: str = "",
    new_area_m2: Decimal | str | None = None,
    details: str = "",
) -> ChangeNotice:
    """The certificate holder notifies a change of operator or of the premises."""
    certificate = (
        Certificate.objects.select_for_update().select_related("case").get(pk=certificate_id, kind=KIND)
    )
    if certificate.case.applicant_id != by.pk:
        raise PermissionDenied
    if certificate.status == Certificate.Status.REVOKED:
        raise ValidationError(_("หนังสือรับรองถูกเพิกถอนแล้ว (The certificate is revoked)"))
    errors = {}
    area = None
    if kind == ChangeNotice.Kind.OPERATOR:
        new_operator_id = normalize_thai_id(new_operator_id)
        if not new_operator_name.strip():
            errors["new_operator_name"] = _("กรุณากรอกชื่อผู้ประกอบการรายใหม่ (Required)")
        if not is_valid_thai_id(new_operator_id):
            errors["new_operator_id"] = _("เลขประจำตัวไม่ถูกต้อง (Invalid ID)")
    elif kind == ChangeNotice.Kind.PREMISES:
        if new_area_m2 not in (None, ""):
            try:
                area = Decimal(str(new_area_m2))
            except InvalidOperation:
                errors["new_area_m2"] = _("ต้องเป็นตัวเลข (Must be a number)")
            else:
                if area > MAX_AREA_M2:
                    errors["new_area_m2"] = OVER_AREA_MESSAGE
                elif area < 1:
                    errors["new_area_m2"] = _("พื้นที่ต้องมากกว่า 0 (Area must be positive)")
        if not (new_premises_name.strip() or area or details.strip()):
            errors["details"] = _("ระบุสิ่งที่เปลี่ยนแปลง (Describe the change)")
    else:
        errors["kind"] = _("ประเภทไม่ถูกต้อง (Unknown kind)")
    if errors:
        raise ValidationError(errors)
    notice = ChangeNotice.objects.create(
        certificate=certificate,
        kind=kind,
        new_operator_name=new_operator_name.strip(),
        new_operator_id=new_operator_id if kind == ChangeNotice.Kind.OPERATOR else "",
        new_premises_name=new_premises_name.strip(),
        new_area_m2=area,
        details=details.strip(),
        requested_by=by,
    )
    casework.record_event(certificate.case, CaseEvent.Kind.NOTE, notice.get_kind_display(), by=by)
    return notice


@transaction.atomic
def decide_change(*, notice_id: int, by, approve: bool, note: str = "") -> ChangeNotice:
    """Accept or refuse a change; an accepted one updates the certificate and re-renders its PDF."""
    if not by.has_perm("food_premises.decide_change"):
        raise PermissionDenied
    notice = ChangeNotice.objects.select_for_update().select_related("certificate__case").get(pk=notice_id)
    if notice.status != ChangeNotice.Status.PENDING:
        raise ValidationError(_("พิจารณาแล้ว (Already decided)"))
    if not approve and not note.strip():
        raise ValidationError({"note": _("กรุณาระบุเหตุผล (Give the reason)")})
    target = ChangeNotice.Status.APPROVED if approve else ChangeNotice.Status.REFUSED
    move(notice, to=target, by=by, transitions=CHANGE_TRANSITIONS)
    notice.decided_by, notice.decided_at, notice.decision_note = by, timezone.now(), note
    notice.save()
    certificate = notice.certificate
    case = certificate.case
    if approve:
        detail = case.food_notification
        if notice.kind == ChangeNotice.Kind.OPERATOR:
            detail.operator_name, detail.operator_id = notice.new_operator_name, notice.new_operator_id
            detail.holder_name = notice.new_operator_name
            certificate.holder_name = notice.new_operator_name
            certificate.save(update_fields=["holder_name"])
        else:
            detail.premises_name = notice.new_premises_name or detail.premises_name
            detail.area_m2 = notice.new_area_m2 or detail.area_m2
        detail.save()
        casework.rerender_certificate(certificate_id=certificate.pk, by=by)
    casework.record_event(
        case,
        CaseEvent.Kind.CERTIFICATE,
        f"{notice.get_kind_display()}: {notice.get_status_display()} {note}".strip(),
        by=by,
    )
    return notice
