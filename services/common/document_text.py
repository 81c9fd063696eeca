"""Numbers in official documents: one digit style per document, and no line break between a number
and its word.

A town chooses Thai digits (๑๒๓, customary in official letters) or Arabic digits (123) for its
documents — `Municipality.service_settings["documents"]["digits"]`, "thai" or "arabic" (Arabic
when unset, so payment references stay typeable in bank apps unless the town decides otherwise).
`official_text()` converts every digit of a text to that style; `official_html()` does it to the
text of a rendered document (never to markup, styles, URLs or QR data) and wraps each number with
the words on either side ("หมู่ 1", "3 ธันวาคม 2569", "เลขที่ 12/3") in a no-wrap span, so a line
never ends between them while the text itself (and what a reader copies out) keeps plain spaces.
The PDF renderer applies it to every document; `{{ value|official }}` converts in a template."""

from __future__ import annotations

import itertools
import re

from .buddhist_era import MONTHS_LONG, MONTHS_SHORT

THAI = "๐๑๒๓๔๕๖๗๘๙"
ARABIC = "0123456789"
TO_THAI = str.maketrans(ARABIC, THAI)
TO_ARABIC = str.maketrans(THAI, ARABIC)
_DIGIT = re.compile(r"[0-9๐-๙]")
MONTHS = frozenset(MONTHS_LONG) | frozenset(MONTHS_SHORT)
# An address (URL, host:port, e-mail) is group 1 and kept; any other run of text is translated.
_ADDRESS = re.compile(r"(\S*(?:://|@|www\.|\.localhost|\.go\.th|\.example)\S*)|[^\s]+")
# Text between tags, outside <style>/<script>, in rendered HTML.
_SKIP_BLOCK = re.compile(r"(<(style|script)\b.*?</\2\s*>)", re.S | re.I)
_TEXT = re.compile(r">([^<]+)<")


def digit_style(town=None) -> str:
    """"thai" or "arabic": the digits the town's documents use."""
    if town is None:
        from tenants.current import current_town

        town = current_town()
    settings = getattr(town, "service_settings", None) or {}
    style = (settings.get("documents") or {}).get("digits") if isinstance(settings, dict) else None
    return "thai" if style == "thai" else "arabic"


def official_text(text: str, *, style: str) -> str:
    """`text` with every digit in `style` — except inside web addresses and e-mail addresses,
    which must stay typeable."""
    table = TO_THAI if style == "thai" else TO_ARABIC
    return _ADDRESS.sub(lambda m: m.group(0) if m.group(1) else m.group(0).translate(table), str(text))


def _keep_numbers_with_words(text: str) -> str:
    """A number and the word before it (and a date's month and year) wrapped in one no-wrap span."""
    tokens = text.split(" ")
    if len(tokens) < 2 or not _DIGIT.search(text):
        return text
    groups: list[list[str]] = [[tokens[0]]]
    for previous, token in itertools.pairwise(tokens):
        # A number stays with the word before it ("หมู่ 1", "มาตรา 29"); a date stays whole.
        joins = previous and token and (
            _DIGIT.search(token) or (_DIGIT.search(previous) and token in MONTHS)
        )
        if joins:
            groups[-1].append(token)
        else:
            groups.append([token])
    return " ".join(
        f'<span style="white-space:nowrap">{" ".join(group)}</span>' if len(group) > 1 else group[0]
        for group in groups
    )


def official_html(html: str, *, style: str) -> str:
    """The same for the text of an HTML document; tags, attributes, styles and scripts untouched."""
    parts = _SKIP_BLOCK.split(html)
    out = []
    index = 0
    while index < len(parts):
        chunk = parts[index]
        if _SKIP_BLOCK.fullmatch(chunk or ""):
            out.append(chunk)
            index += 2  # the block and its tag-name group
            continue
        out.append(
            _TEXT.sub(
                lambda m: ">" + _keep_numbers_with_words(official_text(m.group(1), style=style)) + "<", chunk
            )
        )
        index += 1
    return "".join(out)
