"""Everything the town holds about one person (PDPA s.30 right of access): JSON and a readable Thai PDF.

Built from the same per-person sources as "my requests" (no name or phone matching): the account,
complaints reported, applications, bills and receipts of linked payers and own fees, consents and
requests. Rows are read with iterators so a person with thousands of records does not load them all.
"""

from __future__ import annotations

from django.utils import timezone

from services.casework.models import Case
from services.common.pdf import render_pdf
from services.complaints.models import Complaint
from services.payments.models import Receipt
from tenants.current import current_town

from .models import ConsentRecord, DataSubjectRequest


def _iso(value):
    """Dates and times as ISO 8601; a value already stored as text passes as it is."""
    if not value:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def export_data(user) -> dict:
    from services.citizens.my_requests import invoices_of

    invoices = invoices_of(user)
    return {
        "exported_at": timezone.now().isoformat(),
        "town": getattr(current_town(), "name_th", ""),
        "account": {
            "username": user.username, "first_name": user.first_name, "last_name": user.last_name,
            "email": user.email, "phone": user.phone, "national_id": user.national_id,
            "identity_provider": user.identity_provider, "identity_verified_at": _iso(user.identity_verified_at),
            "date_joined": _iso(user.date_joined), "last_login": _iso(user.last_login),
        },
        "complaints": [{
            "tracking_code": c.tracking_code, "status": c.status, "description": c.description,
            "reporter_name": c.reporter_name, "reporter_phone": c.reporter_phone, "reporter_email": c.reporter_email,
            "latitude": str(c.latitude) if c.latitude is not None else None,
            "longitude": str(c.longitude) if c.longitude is not None else None, "received_at": _iso(c.received_at),
        } for c in Complaint.objects.filter(reporter_user=user).order_by("-received_at").iterator(chunk_size=500)],
        "applications": [{
            "kind": c.kind, "tracking_code": c.tracking_code, "status": c.status, "title": c.title,
            "applicant_name": c.applicant_name, "applicant_national_id": c.applicant_national_id,
            "applicant_phone": c.applicant_phone, "applicant_email": c.applicant_email, "address": c.address,
            "submitted_at": _iso(c.submitted_at), "due_date": _iso(c.due_date),
        } for c in Case.objects.filter(applicant=user).order_by("-created_at").iterator(chunk_size=500)],
        "bills": [{
            "number": i.number, "payer_name": i.payer_name, "total": str(i.total), "paid": str(i.paid_amount),
            "status": i.status, "issue_date": _iso(i.issue_date), "due_date": _iso(i.due_date),
        } for i in invoices.order_by("-created_at").iterator(chunk_size=500)],
        "receipts": [{
            "number": r.display_number, "payer_name": r.payer_name, "amount": str(r.amount),
            "issued_at": _iso(r.issued_at), "status": r.status,
        } for r in Receipt.objects.filter(invoice__in=invoices).order_by("-issued_at").iterator(chunk_size=500)],
        "consents": [{
            "purpose": c.purpose, "notice_version": c.notice_version, "channel": c.channel, "given_at": _iso(c.given_at),
        } for c in ConsentRecord.objects.filter(user=user)],
        "requests": [{
            "kind": r.kind, "status": r.status, "received_at": _iso(r.received_at), "due_date": _iso(r.due_date),
            "outcome": r.outcome,
        } for r in DataSubjectRequest.objects.filter(user=user).order_by("-received_at")],
    }


def export_pdf(user) -> bytes:
    return render_pdf("privacy/pdf/export.html", {"data": export_data(user), "town": current_town()})
