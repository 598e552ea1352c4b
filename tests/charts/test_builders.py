"""Issue 16 §4: the chart builders are pure: plain values in, well-formed, accessible SVG out,
with every number written as text and every name escaped."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from defusedxml.ElementTree import fromstring

from tracker.charts.builders import (
    Difference,
    DifferenceRow,
    Floor,
    FloorRow,
    Spread,
    count_chart,
    difference_chart,
    five_numbers,
    floor_chart,
    spread_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
FLOORS = (Floor("WBK", D(60)), Floor("WBBM", D(75)))
NASTY = "Polres <Uji> & \"Anak\" 'Cabang'"


def parsed(chart):
    """The SVG as XML (it must parse), its texts in order."""
    root = fromstring(str(chart.svg))
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    return root, texts


def test_the_floor_chart_is_accessible_svg_with_its_numbers_as_text() -> None:
    chart = floor_chart(
        "floors",
        [FloorRow(NASTY, D("52.5"), FLOORS), FloorRow("Area dua", D("80"), FLOORS)],
        target="WBK",
        title="Nilai area <uji>",
    )
    root, texts = parsed(chart)
    assert root.get("role") == "img" and root.get("viewBox") == "0 0 480 126"
    assert root.get("width") == "100%" and root.get("height") is None  # scales to a phone
    assert root.get("aria-labelledby") == "floors-title floors-desc"
    assert root.find(f"{SVG}title").text == "Nilai area <uji>"
    assert "WBK 60,00 %" in root.find(f"{SVG}desc").text
    # The name survives escaping exactly; the numbers are text, the shortfall said in words.
    assert NASTY in texts
    assert "52,50 % · di bawah batas" in texts and "80,00 %" in texts
    assert "batas WBK 60,00 %" in texts and "batas WBBM 75,00 %" in texts
    # Below the floor is hatched, not only coloured; above it solid.
    fills = [r.get("fill") for r in root.iter(f"{SVG}rect") if r.get("height") == "16"]
    assert "url(#floors-hatch)" in fills and "#1e3a8a" in fills
    assert root.find(f"{SVG}defs/{SVG}pattern").get("id") == "floors-hatch"
    # The same figures for screen readers.
    assert chart.headers == ("Area", "Nilai", "Batas WBK", "Batas WBBM", "Keadaan")
    assert chart.rows[0] == (NASTY, "52,50 %", "60,00 %", "75,00 %", "di bawah batas")
    assert chart.rows[1][-1] == "memenuhi batas"


def test_the_markup_never_carries_a_name_unescaped() -> None:
    chart = count_chart("c", [("<script>alert(1)</script>", 3)], title="<b>T</b>", what="Unit")
    markup = str(chart.svg)
    assert "<script>" not in markup and "<b>" not in markup
    assert "&lt;script&gt;" in markup
    _root, texts = parsed(chart)
    assert texts == ["<script>alert(1)</script>", "3"]


def test_counts_are_bars_as_long_as_their_share_of_the_largest() -> None:
    chart = count_chart("stages", [("Pembangunan", 4), ("Penilaian TPI", 2)], title="T", what="U")
    root, texts = parsed(chart)
    assert texts == ["Pembangunan", "4", "Penilaian TPI", "2"]
    widths = [r.get("width") for r in root.iter(f"{SVG}rect") if r.get("fill") == "#1e3a8a"]
    assert widths == ["480", "240"]
    assert chart.rows == (("Pembangunan", "4"), ("Penilaian TPI", "2"))
    assert "Pembangunan: 4" in root.find(f"{SVG}desc").text


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([D(5)], (D(5),) * 5),
        ([D(90), D(50), D(70)], (D(50), D(60), D(70), D(80), D(90))),
        ([D(1), D(2), D(3), D(4)], (D(1), D("1.75"), D("2.5"), D("3.25"), D(4))),
    ],
)
def test_five_numbers(values, expected) -> None:
    assert five_numbers(values) == expected


def test_five_numbers_of_nothing_is_refused() -> None:
    with pytest.raises(ValueError):
        five_numbers([])


def test_the_spread_chart_writes_each_areas_median_and_count() -> None:
    chart = spread_chart(
        "spread",
        [Spread("1. Manajemen Perubahan", (D(50), D(70), D(90))), Spread("2. Kosong", ())],
        FLOORS,
        title="Sebaran",
    )
    _root, texts = parsed(chart)
    assert "median 70,00 % · 3 unit" in texts and "tidak ada nilai" in texts
    assert chart.rows[0] == (
        "1. Manajemen Perubahan",
        "3",
        "50,00 %",
        "60,00 %",
        "70,00 %",
        "80,00 %",
        "90,00 %",
    )


def test_the_difference_chart_signs_each_difference_and_hatches_the_lower_side() -> None:
    chart = difference_chart(
        "calib",
        [
            DifferenceRow(
                "1. Manajemen Perubahan",
                (Difference("2025", D("-2.5"), 3), Difference("2026", D("1"), 2)),
            )
        ],
        title="Kalibrasi",
    )
    root, texts = parsed(chart)
    assert "-2,50 poin · 3 unit" in texts and "+1,00 poin · 2 unit" in texts
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("height") == "14"]
    assert [b.get("fill") for b in bars] == ["url(#calib-hatch)", "#1e3a8a"]
    # The lower bar ends at the zero line, the higher one starts there.
    lower, higher = bars
    assert float(lower.get("x")) + float(lower.get("width")) == float(higher.get("x"))
    assert chart.rows == (
        ("1. Manajemen Perubahan", "2025", "3", "-2,50"),
        ("1. Manajemen Perubahan", "2026", "2", "+1,00"),
    )


def test_an_empty_difference_chart_says_so() -> None:
    chart = difference_chart("calib", [], title="Kalibrasi")
    _root, texts = parsed(chart)
    assert texts == ["Belum ada unit yang dinilai TPI dan TPN."] and chart.rows == ()


def test_the_floor_chart_is_kept_per_language(app, english) -> None:
    """Drawn once per set of figures and language: the same figures read in English after
    Indonesian come out in English."""
    from flask import session

    rows = [FloorRow("Area 1", D("52.5"), FLOORS)]
    with app.test_request_context():
        indonesian = floor_chart("kept", rows, target="WBK", title="t")
        assert floor_chart("kept", rows, target="WBK", title="t") is indonesian
    with app.test_request_context():
        session["lang"] = "en"
        _root, texts = parsed(floor_chart("kept", rows, target="WBK", title="t"))
    assert "52.50 % · below the floor" in texts
