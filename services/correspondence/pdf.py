"""Official documents rendered to PDF with WeasyPrint (HarfBuzz shapes Thai vowels and tone marks)
in the vendored Sarabun font: A4, 16 pt, left margin 3 cm, right 2 cm, each on the regulation's own
form (templates/correspondence/pdf/forms/<form>.html), with space for the Garuda (3 cm on
Garuda-paper forms, 1.5 cm on memos; ข้อ 71, 75, 76)."""

from __future__ import annotations

from django.utils import timezone

from services.common.buddhist_era import be_year
from services.common.pdf import render_pdf

from .town_settings import saraban_settings

# Forms laid out alike share one template: แบบที่ 6 ข้อบังคับ (ข้อ 18) is แบบที่ 5 ระเบียบ (ข้อ 17)
# with its own title word, which the template takes from the letter's form.
SHARED_LAYOUT = {"bylaw": "regulation"}


def render_letter_pdf(letter, *, signing_notice: str = "") -> bytes:
    """The document on its form, as PDF bytes; `signing_notice` marks a copy that is not signed."""
    return render_pdf(
        f"correspondence/pdf/forms/{SHARED_LAYOUT.get(letter.form, letter.form)}.html",
        {
            "letter": letter,
            "config": saraban_settings(),
            "be_year": be_year(letter.letter_date or timezone.localdate()),
            "garuda": None,
            "signing_notice": signing_notice,
        },
    )


def render_register_pdf(*, title: str, entries, period_label: str, town_name: str) -> bytes:
    return render_pdf(
        "correspondence/pdf/register.html",
        {"title": title, "entries": entries, "period_label": period_label, "town_name": town_name},
    )
