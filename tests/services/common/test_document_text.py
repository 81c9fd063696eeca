"""One digit style per official document, numbers kept with their words."""

from __future__ import annotations

from services.common.document_text import digit_style, official_html, official_text


class _Town:
    def __init__(self, settings):
        self.service_settings = settings


def test_each_document_takes_the_towns_digits():
    assert official_text("หมู่ ๑ เลขที่ 12/3", style="arabic") == "หมู่ 1 เลขที่ 12/3"
    assert official_text("หมู่ ๑ เลขที่ 12/3", style="thai") == "หมู่ ๑ เลขที่ ๑๒/๓"
    assert digit_style(_Town({"documents": {"digits": "thai"}})) == "thai"
    assert digit_style(_Town({})) == "arabic"
    assert official_text("ตรวจสอบที่ https://alpha.localhost:8123/v/12 โทร 038", style="thai") == (
        "ตรวจสอบที่ https://alpha.localhost:8123/v/12 โทร ๐๓๘"
    )


def test_numbers_stay_with_their_words_and_markup_is_untouched():
    html = (
        '<style>p { margin: 2cm 1.5cm }</style><p class="c2">บ้านเลขที่ 12/3 หมู่ 1 ต.บางเสร่'
        ' ลงวันที่ 3 ธันวาคม 2569</p><img src="data:image/png;base64,AB12">'
    )
    out = official_html(html, style="thai")
    assert "margin: 2cm 1.5cm" in out and 'class="c2"' in out and "base64,AB12" in out
    assert '<span style="white-space:nowrap">หมู่ ๑</span>' in out
    assert '<span style="white-space:nowrap">ลงวันที่ ๓ ธันวาคม ๒๕๖๙</span>' in out
    assert "ต.บางเสร่" in out and '<span style="white-space:nowrap">ต.บางเสร่' not in out
