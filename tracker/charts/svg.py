"""SVG primitives: every text escaped, every number written as text, one ``Chart`` value.

The drawing is sized by its ``viewBox`` only (``width="100%"``, no fixed height), so it scales
to a 390 px phone without sideways scrolling and prints as vectors. Colours come in pairs
that colour-blind readers and black-and-white printers tell apart (dark blue solid against
orange hatching), and every mark that carries meaning also says it in words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import format_decimal
from markupsafe import Markup

from tracker.i18n import in_english

WIDTH = 480  # viewBox units; the page scales the drawing to its column
FONT = 13
SOLID = "#1e3a8a"  # dark blue: reads as near-black in print
ALERT = "#c2410c"  # orange: the colour-blind-safe partner of blue
MUTED = "#6b7280"
GRID = "#d1d5db"


@dataclass(frozen=True)
class Chart:
    """A drawn chart and the same figures in words: ``svg`` goes into a ``<figure>``,
    ``caption`` into its ``<figcaption>``, ``headers`` and ``rows`` into a table for screen
    readers (``templates/charts/_chart.html``)."""

    svg: Markup
    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def number(value: Decimal | int | float, places: int = 2, *, signed: bool = False) -> str:
    """A number the reader's way (``72,50`` in Indonesian, ``72.50`` in English); ``signed``
    writes ``+`` before a positive difference."""
    pattern = "#,##0" + ("." + "0" * places if places else "")
    text = format_decimal(
        Decimal(str(value)),
        format=pattern,
        locale="en" if in_english() else "id",
        decimal_quantization=True,
    )
    return f"+{text}" if signed and Decimal(str(value)) > 0 else text


def percent(value: Decimal | int | float) -> str:
    return f"{number(value)} %"


def text(x: float, y: float, content: str, *, anchor: str = "start", **attrs: str) -> Markup:
    """A ``<text>`` element; ``content`` is escaped (unit names may hold ``<&>``)."""
    extra = _attributes(attrs)
    return Markup('<text x="{}" y="{}" text-anchor="{}" font-size="{}"{}>{}</text>').format(
        _n(x), _n(y), anchor, FONT, extra, content
    )


def rect(x: float, y: float, width: float, height: float, fill: str, **attrs: str) -> Markup:
    extra = _attributes(attrs)
    return Markup('<rect x="{}" y="{}" width="{}" height="{}" fill="{}"{}/>').format(
        _n(x), _n(y), _n(max(width, 0)), _n(height), fill, extra
    )


def line(x1: float, y1: float, x2: float, y2: float, stroke: str, **attrs: str) -> Markup:
    extra = _attributes(attrs)
    return Markup('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"{}/>').format(
        _n(x1), _n(y1), _n(x2), _n(y2), stroke, extra
    )


def hatch(ident: str) -> Markup:
    """The orange hatching that marks "below the floor" without relying on colour."""
    return Markup(
        '<pattern id="{0}-hatch" patternUnits="userSpaceOnUse" width="6" height="6" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="{1}" stroke-width="4"/></pattern>'
    ).format(ident, ALERT)


def document(
    ident: str,
    height: float,
    title: str,
    desc: str,
    body: Iterable[Markup],
    defs: Markup | None = None,
) -> Markup:
    """The whole ``<svg>``: ``role="img"`` named by its ``<title>`` and ``<desc>``."""
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" '
        'role="img" aria-labelledby="{i}-title {i}-desc" font-family="sans-serif" '
        'class="chart-svg" id="{i}"><title id="{i}-title">{t}</title>'
        '<desc id="{i}-desc">{d}</desc><defs>{defs}</defs>{body}</svg>'
    ).format(
        w=WIDTH,
        h=_n(height),
        i=ident,
        t=title,
        d=desc,
        defs=defs or Markup(""),
        body=Markup("").join(body),
    )


def chart(
    ident: str,
    height: float,
    title: str,
    desc: str,
    body: Iterable[Markup],
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    defs: Markup | None = None,
) -> Chart:
    return Chart(
        document(ident, height, title, desc, body, defs),
        title,
        tuple(headers),
        tuple(tuple(r) for r in rows),
    )


def _attributes(attrs: Mapping[str, str]) -> Markup:
    """Extra attributes, ``stroke_width`` written ``stroke-width``, every value escaped."""
    return Markup("").join(
        Markup(' {}="{}"').format(name.replace("_", "-"), value) for name, value in attrs.items()
    )


def _n(value: float) -> str:
    """A coordinate: at most one decimal, no exponent."""
    return f"{float(value):.1f}".rstrip("0").rstrip(".")
