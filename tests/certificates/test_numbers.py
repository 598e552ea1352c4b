"""Certificate numbers: format, randomness, check character, tolerant parsing. Pure."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest

from tracker.certificates import numbers

FORMAT = re.compile(r"ZI-(2019)-(WBK|WBBM)-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{5}")


@pytest.mark.parametrize("predicate", ["WBK", "WBBM"])
def test_generated_numbers_have_the_documented_format(predicate: str) -> None:
    number = numbers.generate(2019, predicate)
    assert FORMAT.fullmatch(number), number
    assert number.split("-")[2] == predicate
    assert numbers.normalize(number) == number


def test_numbers_are_random_not_sequential() -> None:
    generated = [numbers.generate(2019, "WBK") for _ in range(2000)]
    assert len(set(generated)) == len(generated)
    bodies = sorted(n.replace("-", "")[9:17] for n in generated)
    # 2000 draws from 32**8 values: consecutive sorted values are nowhere near adjacent.
    assert min(int(b, 36) - int(a, 36) for a, b in pairwise(bodies)) > 1


def test_generate_draws_from_the_given_source() -> None:
    assert numbers.generate(2018, "WBK", choice=lambda alphabet: alphabet[7]).startswith(
        "ZI-2018-WBK-7777-7777"
    )


@pytest.mark.parametrize(
    "typed",
    [
        "zi-2019-wbk-{body}",
        "ZI 2019 WBK {body}",
        "ZI2019WBK{compact}",
        "  ZI-2019-WBK-{body}  ",
        "ZI‐2019‐WBK‐{body}",  # typographic hyphens from a word processor
    ],
)
def test_what_people_type_is_normalised(typed: str) -> None:
    number = numbers.generate(2019, "WBK")
    body = number.removeprefix("ZI-2019-WBK-")
    text = typed.format(
        body=body.lower() if typed.islower() else body, compact=body.replace("-", "")
    )
    assert numbers.normalize(text) == number


def test_letters_o_i_l_are_read_as_digits() -> None:
    number = numbers.generate(2019, "WBK", choice=lambda alphabet: "0")
    check = number[-1]
    assert numbers.normalize(f"ZI-2019-WBK-OOOO-OOOO{check}") == number
    one = numbers.generate(2019, "WBK", choice=lambda alphabet: "1")
    assert numbers.normalize(f"ZI-2019-WBK-IlIl-lIlI{one[-1]}") == one


def test_every_single_character_typo_is_caught() -> None:
    number = numbers.generate(2020, "WBBM")
    compact = number.replace("-", "")
    for position in range(len("ZI2020WBBM"), len(compact)):
        for char in numbers.ALPHABET:
            if char != compact[position]:
                typo = compact[:position] + char + compact[position + 1 :]
                assert numbers.normalize(typo) is None, typo


def test_a_typo_in_year_or_predicate_is_caught() -> None:
    number = numbers.generate(2020, "WBK")
    assert numbers.normalize(number.replace("2020", "2021")) is None
    assert numbers.normalize(number.replace("WBK", "WBBM")) is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ZI-2019-WBK",
        "ZI-19-WBK-AAAA-AAAAA",
        "ZI-2019-XYZ-AAAA-AAAAA",
        "X" * 10_000,
        "ZI-2019-WBK-UUUU-UUUUU",
    ],
)
def test_malformed_input_is_not_a_number(text: str) -> None:
    assert numbers.normalize(text) is None


@pytest.mark.parametrize("year, predicate", [(1999, "WBK"), (2019, "WBX"), (10_000, "WBK")])
def test_generate_refuses_nonsense(year: int, predicate: str) -> None:
    with pytest.raises(ValueError):
        numbers.generate(year, predicate)


def test_verification_url_joins_base_and_number() -> None:
    assert (
        numbers.verification_url("https://zi.example.go.id/", "ZI-2019-WBK-7K3M-9QXD4")
        == "https://zi.example.go.id/verify/ZI-2019-WBK-7K3M-9QXD4"
    )
