"""Money shown to people, one way: baht with a thousands separator and two decimals ("1,234.50").

Python code writes `format_baht(amount)`; templates `{{ amount|baht }}` (templatetags/thai.py).
Amounts in words are `baht_text`; the PromptPay QR writes its own fixed format (payments/promptpay.py).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


def format_baht(amount: Decimal | int | str | None) -> str:
    """'1,234.50' for Decimal('1234.5'); '' for None or something that is not a number."""
    if amount is None or amount == "":
        return ""
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return ""
    return f"{value:,.2f}"
