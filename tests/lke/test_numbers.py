"""Numbers read and shown the user's way (issue 14 §1): 1.250 and 3,61 in Indonesian."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tracker.lke.numbers import read_integer, show_decimal, show_integer


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("1250", "id", 1250),
        ("1.250", "id", 1250),
        ("12.500.000", "id", 12_500_000),
        (" 7 ", "id", 7),
        ("0", "id", 0),
        ("1,250", "en", 1250),
        ("1250", "en", 1250),
        ("-2", "id", -2),  # read; the answer rules refuse it with the number in the message
    ],
)
def test_whole_numbers_are_read_the_locales_way(text: str, locale: str, expected: int) -> None:
    assert read_integer(text, locale) == expected


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("seratus", "id"),
        ("", "id"),
        ("1,5", "id"),  # a fraction in Indonesian
        ("1,000", "id"),  # a decimal part, even of zeros, is no count
        ("1.25", "id"),  # a misplaced thousands separator
        ("1,250", "id"),  # the English way in the Indonesian UI: 1,25 here
        ("1.250", "en"),  # and the other way round
        ("1.5", "en"),
        ("1e3", "id"),
        ("１２", "id"),  # full-width digits
        ("12 kali", "id"),
    ],
)
def test_anything_else_is_no_whole_number(text: str, locale: str) -> None:
    assert read_integer(text, locale) is None


def test_numbers_are_shown_the_locales_way() -> None:
    assert show_integer(1250, "id") == "1.250"
    assert show_integer(1250, "en") == "1,250"
    assert show_integer(7, "id") == "7"
    assert show_decimal("3.61", "id") == "3,61"
    assert show_decimal(Decimal("3.6"), "en") == "3.60"
    assert show_decimal(Decimal("4"), "id") == "4,00"


@pytest.mark.parametrize("locale", ["id", "en"])
@pytest.mark.parametrize("value", [0, 7, 999, 1000, 1250, 30_000, 1_234_567])
def test_a_shown_whole_number_reads_back_as_itself(value: int, locale: str) -> None:
    assert read_integer(show_integer(value, locale), locale) == value


def test_the_number_of_respondents_is_a_whole_number() -> None:
    """D7: a survey's "Jumlah responden" is a count, never "seratus"."""
    from tracker.errors import ValidationError
    from tracker.lke import get_framework, parse_answer

    item = get_framework("lke-2021").item("B.I.a")
    answer = parse_answer(item, {"index": "3,61", "respondents": 120, "source": "BPS"})
    assert dict(answer.provenance) == {"respondents": "120", "source": "BPS"}
    with pytest.raises(ValidationError, match="bukan seratus"):
        parse_answer(item, {"index": "3,61", "respondents": "seratus"})
