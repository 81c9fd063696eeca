"""Builders for e-Saraban tests (data through the real actions, never fixture files)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from services.correspondence import actions
from services.correspondence.models import Letter
from tests.factories import make_user

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def scan(name: str = "scan.pdf", content: bytes = MINIMAL_PDF, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def configure_town(prefix: str = "ชบ 52105") -> None:
    config = actions.saraban_settings()
    config.letter_prefix = prefix
    config.agency_name = f"สำนักงาน{connection.tenant.name_th}"
    config.address = "ถนนสุขุมวิท ชลบุรี 20250"
    config.save()


def staff_set() -> dict:
    """A clerk, an executive and an officer of the current town."""
    return {
        "clerk": make_user(roles=("saraban_clerk",), first_name="สมศรี", last_name="สารบรรณ"),
        "executive": make_user(
            roles=("executive",), first_name="สมชาย", last_name="นายก", position="นายกเทศมนตรี"
        ),
        "officer": make_user(roles=("officer",), first_name="สมหญิง", last_name="ปฏิบัติ"),
    }


def approved_letter(people: dict, **fields) -> Letter:
    """A letter drafted by the clerk and signed by the executive."""
    values = {
        "subject": "ขอเชิญประชุมคณะกรรมการ",
        "body": "ด้วยเทศบาลจะจัดประชุม จึงเรียนมาเพื่อโปรดเข้าร่วม",
        "recipient_name": "นายกเทศมนตรีตำบลเบตา",
        **fields,
    }
    letter = actions.draft_letter(by=people["clerk"], **values)
    actions.submit_for_approval(
        letter_id=letter.pk, by=people["clerk"], approver_ids=[people["executive"].pk]
    )
    actions.decide_approval(letter_id=letter.pk, by=people["executive"], approve=True)
    letter.refresh_from_db()
    return letter
