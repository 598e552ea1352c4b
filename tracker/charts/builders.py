"""The charts the pages draw (issue 16 §4), each a pure function from plain values to a
``Chart``: area scores against the WBK/WBBM floors, counts per stage, the spread of area scores
across units, and the TPI-minus-TPN difference per area and year.

Numbers are formatted here, the reader's way; labels come in already translated (they are data
such as area names) or are translated here with ``tracker.i18n._``.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from markupsafe import Markup

from tracker.charts import svg
from tracker.charts.svg import FONT, GRID, MUTED, SOLID, WIDTH, Chart
from tracker.i18n import _, in_english

HUNDRED = Decimal(100)
ROW = 46  # one labelled bar: a line of text above a 16-unit bar
TOP = 30  # room for the legend
DASHES = ("6 3", "2 2", "10 2 2 2")  # one stroke pattern per floor, so no floor needs colour


@dataclass(frozen=True)
class Floor:
    name: str  # "WBK"
    threshold: Decimal  # percent of the area's weight


@dataclass(frozen=True)
class FloorRow:
    label: str
    value: Decimal  # percent of the area's weight
    floors: tuple[Floor, ...]


@dataclass(frozen=True)
class Spread:
    label: str
    values: tuple[Decimal, ...]  # percents, one per unit


@dataclass(frozen=True)
class Difference:
    name: str  # the series, e.g. the year
    value: Decimal  # points, TPI minus TPN (mean over the units)
    count: int  # units behind the mean


@dataclass(frozen=True)
class DifferenceRow:
    label: str
    series: tuple[Difference, ...]


def _x(percent: Decimal) -> float:
    return float(min(max(percent, Decimal(0)), HUNDRED) / HUNDRED) * WIDTH


def _legend(floors: Sequence[Floor]) -> list[Markup]:
    out: list[Markup] = []
    x = 0.0
    for index, floor in enumerate(floors):
        dash = DASHES[index % len(DASHES)]
        out.append(svg.line(x, 12, x + 24, 12, "#111827", stroke_width="2", stroke_dasharray=dash))
        label = _("batas %(p)s %(v)s", p=floor.name, v=svg.percent(floor.threshold))
        out.append(svg.text(x + 30, 16, label))
        x += 40 + len(label) * FONT * 0.55
    return out


def _floor_marks(floors: Sequence[Floor], y: float) -> list[Markup]:
    return [
        svg.line(
            _x(f.threshold),
            y - 3,
            _x(f.threshold),
            y + 19,
            "#111827",
            stroke_width="2",
            stroke_dasharray=DASHES[i % len(DASHES)],
        )
        for i, f in enumerate(floors)
    ]


def floor_chart(ident: str, rows: Sequence[FloorRow], *, target: str, title: str) -> Chart:
    """Each area's score as a percent of its weight against the floors (D5): a solid bar
    meets the ``target`` predicate's floor, a hatched one falls short and says so.

    Drawn once per set of figures and language (the LKE page and its fragments draw it on
    every request, ~2 ms, mostly from the same few scores while a tier is being filled)."""
    return _floor_chart(ident, tuple(rows), target, title, in_english())


@lru_cache(maxsize=512)
def _floor_chart(
    ident: str, rows: tuple[FloorRow, ...], target: str, title: str, _english: bool
) -> Chart:
    floors = rows[0].floors if rows else ()
    body = _legend(floors)
    table = []
    for index, row in enumerate(rows):
        y = TOP + index * ROW
        needed = next((f.threshold for f in row.floors if f.name == target), None)
        short = needed is not None and row.value < needed
        value_text = svg.percent(row.value) + (" · " + _("di bawah batas") if short else "")
        body += [
            svg.text(0, y + 14, row.label),
            svg.text(WIDTH, y + 14, value_text, anchor="end", font_weight="bold"),
            svg.rect(0, y + 20, WIDTH, 16, "#f3f4f6"),
            svg.rect(0, y + 20, _x(row.value), 16, f"url(#{ident}-hatch)" if short else SOLID),
            *_floor_marks(row.floors, y + 20),
        ]
        state = _("di bawah batas") if short else _("memenuhi batas")
        floor_texts = (svg.percent(f.threshold) for f in row.floors)
        table.append((row.label, svg.percent(row.value), *floor_texts, state))
    desc = _(
        "Nilai tiap area sebagai persen dari bobotnya, dibandingkan dengan batas minimal "
        "%(floors)s. Batang bergaris: di bawah batas Menuju %(target)s.",
        floors=", ".join(f"{f.name} {svg.percent(f.threshold)}" for f in floors),
        target=target,
    )
    headers = (_("Area"), _("Nilai"), *(_("Batas %(p)s", p=f.name) for f in floors), _("Keadaan"))
    height = TOP + len(rows) * ROW + 4
    return svg.chart(ident, height, title, desc, body, headers, table, svg.hatch(ident))


def count_chart(ident: str, rows: Sequence[tuple[str, int]], *, title: str, what: str) -> Chart:
    """A bar per label, as long as its count; ``what`` names the column of counts."""
    top = max((count for _label, count in rows), default=0) or 1
    body: list[Markup] = []
    for index, (label, count) in enumerate(rows):
        y = 4 + index * ROW
        body += [
            svg.text(0, y + 14, label),
            svg.text(WIDTH, y + 14, svg.number(count, 0), anchor="end", font_weight="bold"),
            svg.rect(0, y + 20, WIDTH, 16, "#f3f4f6"),
            svg.rect(0, y + 20, WIDTH * count / top, 16, SOLID),
        ]
    desc = "; ".join(f"{label}: {svg.number(count, 0)}" for label, count in rows) or _(
        "Tidak ada data."
    )
    table = [(label, svg.number(count, 0)) for label, count in rows]
    height = 8 + len(rows) * ROW
    return svg.chart(ident, height, title, desc, body, (_("Tahap"), what), table)


def five_numbers(values: Sequence[Decimal]) -> tuple[Decimal, Decimal, Decimal, Decimal, Decimal]:
    """Least, lower quartile, median, upper quartile, greatest (the quartiles interpolated
    between the values themselves). Raises ValueError on no values."""
    data = sorted(values)
    if not data:
        raise ValueError("no values")
    if len(data) == 1:
        one = data[0]
        return one, one, one, one, one
    q1, median, q3 = statistics.quantiles(data, n=4, method="inclusive")
    return data[0], q1, median, q3, data[-1]


def spread_chart(
    ident: str, rows: Sequence[Spread], floors: Sequence[Floor], *, title: str
) -> Chart:
    """Per area, the spread of the units' scores (percent of the area's weight): a line from
    least to greatest, a box over the middle half, a bar at the median, and the floors."""
    body = _legend(floors)
    table: list[tuple[str, ...]] = []
    for index, row in enumerate(rows):
        y = TOP + index * ROW
        body.append(svg.text(0, y + 14, row.label))
        if not row.values:
            body.append(svg.text(WIDTH, y + 14, _("tidak ada nilai"), anchor="end", fill=MUTED))
            table.append((row.label, "0", "–", "–", "–", "–", "–"))
            continue
        low, q1, median, q3, high = five_numbers(row.values)
        label = _("median %(m)s · %(n)s unit", m=svg.percent(median), n=len(row.values))
        body += [
            svg.text(WIDTH, y + 14, label, anchor="end", font_weight="bold"),
            svg.rect(0, y + 20, WIDTH, 16, "#f9fafb", stroke=GRID),
            svg.line(_x(low), y + 28, _x(high), y + 28, "#111827", stroke_width="1.5"),
            svg.rect(_x(q1), y + 21, _x(q3) - _x(q1), 14, "#bfdbfe", stroke=SOLID),
            svg.line(_x(median), y + 19, _x(median), y + 37, SOLID, stroke_width="3"),
            *_floor_marks(floors, y + 20),
        ]
        numbers = (low, q1, median, q3, high)
        table.append((row.label, str(len(row.values)), *(svg.percent(v) for v in numbers)))
    desc = _(
        "Sebaran nilai area unit (persen dari bobot area): garis dari nilai terendah sampai "
        "tertinggi, kotak di antara kuartil bawah dan atas, garis tebal di median."
    )
    headers = (
        _("Area"),
        _("Unit"),
        _("Terendah"),
        _("Kuartil bawah"),
        _("Median"),
        _("Kuartil atas"),
        _("Tertinggi"),
    )
    height = TOP + len(rows) * ROW + 4
    return svg.chart(ident, height, title, desc, body, headers, table)


def difference_chart(ident: str, rows: Sequence[DifferenceRow], *, title: str) -> Chart:
    """Per area and series (year), the mean of TPI minus TPN in points: a solid bar right of
    the zero line where TPI scored higher, a hatched bar left of it where TPI scored lower."""
    left, right = 56.0, WIDTH - 130.0
    centre = (left + right) / 2
    span = max((abs(d.value) for r in rows for d in r.series), default=Decimal(0)) or Decimal(1)
    body: list[Markup] = []
    table = []
    y = 4.0
    for row in rows:
        body.append(svg.text(0, y + 14, row.label, font_weight="bold"))
        y += 20
        for d in row.series:
            reach = float(abs(d.value) / span) * (right - left) / 2
            lower = d.value < 0
            words = _("%(v)s poin · %(n)s unit", v=svg.number(d.value, signed=True), n=d.count)
            body += [
                svg.text(0, y + 13, d.name),
                svg.rect(
                    centre - reach if lower else centre,
                    y + 2,
                    reach,
                    14,
                    f"url(#{ident}-hatch)" if lower else SOLID,
                ),
                svg.text(WIDTH, y + 13, words, anchor="end"),
            ]
            table.append((row.label, d.name, str(d.count), svg.number(d.value, signed=True)))
            y += 20
        y += 6
    body.append(svg.line(centre, 20, centre, max(y - 6, 24), "#111827", stroke_width="1.5"))
    desc = _(
        "Selisih rata-rata nilai TPI dikurangi nilai TPN per area dan tahun, dalam poin. "
        "Batang ke kanan: TPI menilai lebih tinggi; batang bergaris ke kiri: TPI menilai lebih "
        "rendah."
    )
    headers = (_("Area"), _("Tahun"), _("Unit"), _("Selisih TPI − TPN (poin)"))
    if not table:
        body = [svg.text(0, 18, _("Belum ada unit yang dinilai TPI dan TPN."), fill=MUTED)]
        y = 30
    return svg.chart(ident, y, title, desc, body, headers, table, svg.hatch(ident))
