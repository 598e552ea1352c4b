"""Numbers as people type and read them in the user's language (issue 14 §1, D6).

Indonesian groups thousands with a dot and writes decimals with a comma (``1.250``, ``3,61``);
English the other way round (``1,250``, ``3.61``). These functions read and write numbers in
the given locale only; what a number may be (whole, non-negative, 0–4) is the answer rules'
business (``tracker.lke.answers``).
"""

from __future__ import annotations

import re
from decimal import Decimal

from babel.numbers import NumberFormatError, format_decimal, get_decimal_symbol, parse_decimal

# ASCII digits, an optional sign and the two separators: Babel alone also reads "1e3" or
# full-width digits, which nobody types into a count by intent.
_NUMBER_LIKE = re.compile(r"[+-]?[0-9][0-9.,]*")


def read_integer(text: str, locale: str) -> int | None:
    """A whole number typed the locale's way ("1.250" in id, "1,250" in en) or as plain digits
    ("1250"); None for anything else: words, fractions ("1,5" in id), a decimal part even of
    zeros ("1,000" in id), misplaced group separators ("1.25" in id). Negative numbers are
    read (the answer rules refuse them, with the number in the message)."""
    text = text.strip()
    if not _NUMBER_LIKE.fullmatch(text) or get_decimal_symbol(locale) in text:
        return None
    try:
        number = parse_decimal(text, locale=locale, strict=True)
    except NumberFormatError:
        return None
    return int(number) if number == number.to_integral_value() else None


def show_integer(value: int, locale: str) -> str:
    """``1250`` as "1.250" (id) or "1,250" (en)."""
    return format_decimal(value, format="#,##0", locale=locale)


def show_decimal(value: Decimal | str, locale: str, places: int = 2) -> str:
    """A decimal with fixed places the locale's way: "3,61" (id), "3.61" (en)."""
    pattern = "#,##0." + "0" * places if places else "#,##0"
    return format_decimal(
        Decimal(str(value)), format=pattern, locale=locale, decimal_quantization=True
    )
