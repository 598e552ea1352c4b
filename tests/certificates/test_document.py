"""Certificate data: validation, Indonesian wording and the fit-to-width arithmetic (no PDF)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.certificates.conftest import LONGEST_UNIT_NAME, certificate, png_image
from tracker.certificates.document import (
    DEFAULT_SIGNATORY_TITLE,
    SIGNATORY_TITLE_FIT,
    UNIT_NAME_FIT,
    Image,
    Predicate,
    certificate_view,
    fit_text,
    format_date_id,
    text_width_em,
)


def test_defaults_follow_d11() -> None:
    data = certificate()
    assert data.signatory_title == DEFAULT_SIGNATORY_TITLE
    assert data.place == "Jakarta"
    assert data.predicate is Predicate.WBK


@pytest.mark.parametrize(
    ("code", "short", "long"),
    [
        ("WBK", "Menuju WBK", "Wilayah Bebas dari Korupsi"),
        ("WBBM", "Menuju WBBM", "Wilayah Birokrasi Bersih dan Melayani"),
    ],
)
def test_predicate_labels(code: str, short: str, long: str) -> None:
    view = certificate_view(certificate(predicate=code))
    assert (view["predicate_short"], view["predicate_long"]) == (short, long)


@pytest.mark.parametrize(
    "overrides",
    [
        {"predicate": "WBBM-X"},
        {"year": 1999},
        {"year": "2019"},
        {"unit_name": "   "},
        {"unit_name": "x" * 161},
        {"verification_url": "javascript:alert(1)"},
        {"verification_url": "https://zi.example.go.id/a b"},
        {"snapshot_sha256": "ABC"},
        {"snapshot_sha256": "G" * 64},
        {"decree_date": "2019-12-10"},
    ],
)
def test_rejects_malformed_fields(overrides: dict) -> None:
    with pytest.raises(ValueError):
        certificate(**overrides)


def test_is_frozen() -> None:
    data = certificate()
    with pytest.raises(AttributeError):
        data.unit_name = "Lain"  # type: ignore[misc]


def test_dates_are_indonesian() -> None:
    assert format_date_id(date(2019, 12, 10)) == "10 Desember 2019"
    assert format_date_id(date(2021, 2, 3)) == "3 Februari 2021"


def test_image_checks_type_and_bytes() -> None:
    assert png_image((4, 4), (0, 0, 0)).data_uri.startswith("data:image/png;base64,iVBOR")
    with pytest.raises(ValueError):
        Image(b"GIF89a...", "image/gif")
    with pytest.raises(ValueError):
        Image(b"not a png", "image/png")
    with pytest.raises(ValueError):
        Image(b"", "image/svg+xml")


def test_short_unit_name_is_one_line_at_full_size() -> None:
    fitted = fit_text("Polres Metro Bekasi Kota", UNIT_NAME_FIT)
    assert fitted.lines == ("Polres Metro Bekasi Kota",)
    assert fitted.size_pt == UNIT_NAME_FIT.max_pt


def test_long_unit_name_breaks_into_balanced_lines_that_fit() -> None:
    fitted = fit_text("Kantor Pelayanan Perbendaharaan Negara Jakarta III", UNIT_NAME_FIT)
    assert fitted.lines == ("Kantor Pelayanan Perbendaharaan", "Negara Jakarta III")
    _assert_fits(fitted.lines, fitted.size_pt)


def test_longest_unit_name_fits_width_and_height_budget() -> None:
    fitted = fit_text(LONGEST_UNIT_NAME, UNIT_NAME_FIT)
    assert " ".join(fitted.lines) == LONGEST_UNIT_NAME
    assert fitted.size_pt >= UNIT_NAME_FIT.min_pt
    _assert_fits(fitted.lines, fitted.size_pt)
    height = len(fitted.lines) * fitted.size_pt * UNIT_NAME_FIT.line_height
    assert height <= UNIT_NAME_FIT.max_height_pt + 0.5


def test_default_signatory_title_takes_two_even_lines() -> None:
    fitted = fit_text(DEFAULT_SIGNATORY_TITLE, SIGNATORY_TITLE_FIT)
    assert fitted.lines == ("Menteri Pendayagunaan Aparatur", "Negara dan Reformasi Birokrasi")


def _assert_fits(lines: tuple[str, ...], size_pt: float) -> None:
    for line in lines:
        width = text_width_em(line, UNIT_NAME_FIT.font_file) * size_pt
        assert width <= UNIT_NAME_FIT.width_pt + 0.5
