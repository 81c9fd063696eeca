"""Certificates: numbered (gapless per BE year), rendered with a verification QR, suspended, reinstated, revoked."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from services.common import numbering, signing
from services.common.buddhist_era import be_year
from services.common.files.actions import store_upload
from services.common.links import town_url
from services.common.workflow import move
from tenants.current import current_town

from .. import notifications
from ..models import (
    Case,
    CaseEvent,
    CaseStatus,
    Certificate,
)
from ..pdf import qr_data_uri, render_pdf
from ..registry import case_type_for
from ..workflow import CERTIFICATE_TRANSITIONS
from .common import record_event, settings_for, today


def verification_url(certificate: Certificate) -> str:
    """Absolute URL of the public verification page (the certificate's QR code), on the town's host."""
    path = reverse(f"{case_type_for(certificate.kind).app_label}:verify", args=[certificate.verification_token])
    return town_url(path)


def render_certificate(certificate: Certificate, *, signing_notice: str = "") -> bytes:
    """The certificate's PDF; `signing_notice` is printed on a copy that is not signed."""
    case = certificate.case
    case_type = case_type_for(case.kind)
    detail = getattr(case, case_type.detail_name, None)
    url = verification_url(certificate)
    return render_pdf(
        case_type.certificate_template,
        {
            "certificate": certificate,
            "case": case,
            "detail": detail,
            "town": current_town(),
            "verify_url": url,
            "qr": qr_data_uri(url),
            "signing_notice": signing_notice,
        },
    )


def _issue_pdf(certificate: Certificate, by) -> None:
    """Render, sign with the town's certificate (or mark unsigned / pending), store, record the status."""
    case_type = case_type_for(certificate.kind)
    reason = f"{case_type.certificate_label_th} เลขที่ {certificate.display_number}"
    outcome = signing.issue_pdf(
        lambda notice: render_certificate(certificate, signing_notice=notice),
        reason=reason,
        name=certificate.issued_by.display_name if certificate.issued_by else current_town().name_th,
    )
    upload = SimpleUploadedFile(
        f"{certificate.series}-{certificate.be_year}-{certificate.number}.pdf",
        outcome.pdf,
        content_type="application/pdf",
    )
    certificate.pdf = store_upload(
        upload, purpose="certificate", by=None, allowed_types=("application/pdf",), max_bytes=20 * 1024 * 1024
    )
    certificate.save(update_fields=["pdf"])
    signing.record_outcome(certificate.pdf, outcome, reason=reason)
    if not outcome.is_signed:
        record_event(
            certificate.case,
            CaseEvent.Kind.CERTIFICATE,
            _("%(number)s: %(status)s — %(why)s")
            % {"number": certificate.display_number, "status": signing.status_label(outcome.status), "why": outcome.message},
            by=by,
            public=False,
        )


def issue_certificate(*, case: Case, by=None) -> Certificate:
    """Number, record and render the certificate; runs inside the caller's transaction so a failed
    render gives the number back (gapless per BE year)."""
    case_type = case_type_for(case.kind)
    move(case, to=CaseStatus.ISSUED, by=by, transitions=case_type.transitions)
    issued_on = today()
    year = be_year(issued_on)
    number = numbering.next_number(case_type.certificate_series, year)
    validity = settings_for(case.kind).certificate_validity_days
    detail = getattr(case, case_type.detail_name, None)
    certificate = Certificate.objects.create(
        case=case,
        kind=case.kind,
        series=case_type.certificate_series,
        be_year=year,
        number=number,
        issued_on=issued_on,
        valid_until=issued_on + dt.timedelta(days=validity) if validity else None,
        holder_name=case.applicant_name if detail is None else getattr(detail, "holder_name", case.applicant_name),
        public_summary=case_type.public_summary(case) if case_type.public_summary else {},
        issued_by=by if (by is not None and getattr(by, "is_authenticated", False)) else None,
    )
    _issue_pdf(certificate, by)
    case.due_date = None
    case.save()
    record_event(
        case,
        CaseEvent.Kind.CERTIFICATE,
        _("ออก%(label)s เลขที่ %(number)s")
        % {"label": case_type.certificate_label_th, "number": certificate.display_number},
        by=by,
    )
    notifications.notify_applicant(
        case,
        subject=_("ออก%(label)sแล้ว") % {"label": case_type.certificate_label_th},
        body=_("%(label)s เลขที่ %(number)s ดาวน์โหลดได้ที่เมนู “คำขอของฉัน”")
        % {"label": case_type.certificate_label_th, "number": certificate.display_number},
        key="issued",
    )
    return certificate


@transaction.atomic
def rerender_certificate(*, certificate_id: int, by=None) -> Certificate:
    """Render the PDF again after a permitted change (transfer, extension, change of operator)."""
    certificate = Certificate.objects.select_for_update().select_related("case").get(pk=certificate_id)
    case_type = case_type_for(certificate.kind)
    if case_type.public_summary:
        certificate.public_summary = case_type.public_summary(certificate.case)
        certificate.save(update_fields=["public_summary"])
    _issue_pdf(certificate, by)
    return certificate


def _set_certificate_status(certificate: Certificate, status: str, reason: str, by) -> Certificate:
    move(certificate, to=status, by=by, transitions=CERTIFICATE_TRANSITIONS)
    certificate.status_reason = reason
    certificate.status_changed_at = timezone.now()
    certificate.save(update_fields=["status", "status_reason", "status_changed_at"])
    record_event(
        certificate.case,
        CaseEvent.Kind.CERTIFICATE,
        _("%(label)s: %(status)s — %(reason)s")
        % {"label": certificate.display_number, "status": certificate.get_status_display(), "reason": reason},
        by=by,
    )
    notifications.notify_applicant(
        certificate.case,
        subject=_("สถานะเอกสาร %(n)s") % {"n": certificate.display_number},
        body=f"{certificate.get_status_display()}: {reason}",
        key=f"cert-status:{status}:{certificate.status_changed_at.timestamp():.0f}",
    )
    return certificate


def suspend_certificate(*, certificate: Certificate, reason: str, by=None) -> Certificate:
    """Suspend (e.g. a stop order for unpaid fees); inside the caller's transaction."""
    if certificate.status != Certificate.Status.VALID:
        return certificate
    return _set_certificate_status(certificate, Certificate.Status.SUSPENDED, reason, by)


def reinstate_certificate(*, certificate: Certificate, reason: str, by=None) -> Certificate:
    if certificate.status != Certificate.Status.SUSPENDED:
        return certificate
    return _set_certificate_status(certificate, Certificate.Status.VALID, reason, by)


@transaction.atomic
def revoke_certificate(*, certificate_id: int, by, reason: str) -> Certificate:
    """Revoke with a reason (final); verification then shows it as not valid, and why."""
    certificate = Certificate.objects.select_for_update().select_related("case").get(pk=certificate_id)
    permission = f"{case_type_for(certificate.kind).app_label}.revoke_certificate"
    if not by.has_perm(permission):
        raise PermissionDenied(_("คุณไม่มีสิทธิ์เพิกถอน (You may not revoke)"))
    if len(reason.strip()) < 10:
        raise ValidationError(_("ต้องระบุเหตุผลการเพิกถอน (State the reason for revoking)"))
    if certificate.status == Certificate.Status.REVOKED:
        raise ValidationError(_("ถูกเพิกถอนไปแล้ว (Already revoked)"))
    return _set_certificate_status(certificate, Certificate.Status.REVOKED, reason, by)
