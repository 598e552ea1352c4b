"""Jinja filters and globals: numbers and dates the Indonesian way (D6: ``95,58``)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from babel.dates import format_date, format_datetime, get_timezone
from babel.numbers import NumberPattern, format_decimal, parse_pattern
from flask import Flask
from markupsafe import Markup, escape
from wtforms.fields.choices import SelectChoice

from tracker.i18n import _ as gettext
from tracker.i18n import language

_JAKARTA = get_timezone("Asia/Jakarta")


@lru_cache(maxsize=16)
def _number_pattern(places: int) -> NumberPattern:
    """Parsed once: babel parses a pattern string again on every call."""
    return parse_pattern("#,##0" + ("." + "0" * places if places else ""))


def fmt_number(value: Decimal | float | int | None, places: int = 2) -> str:
    """Fixed decimals in the user's locale: 95,58 (id) or 95.58 (en)."""
    if value is None:
        return "–"
    return _number_text(Decimal(str(value)), places, language())


# An LKE page prints about a hundred scores, most of them the same few values (0 %, 100 %, the
# answer choices): each text is kept per value and language, as the dates below.
@lru_cache(maxsize=4096)
def _number_text(value: Decimal, places: int, locale: str) -> str:
    return format_decimal(
        value, format=_number_pattern(places), locale=locale, decimal_quantization=True
    )


def fmt_percent(ratio: Decimal | float | None, places: int = 2) -> str:
    if ratio is None:
        return "–"
    return f"{fmt_number(Decimal(str(ratio)) * 100, places)} %"


def fmt_date(value: date | datetime | None, style: str = "long") -> str:
    if value is None:
        return "–"
    if isinstance(value, datetime):
        # Minutes are all the pattern shows: the rest would only make every key unique.
        return _datetime_text(value.replace(second=0, microsecond=0), language())
    return _date_text(value, style, language())


# babel parses the date pattern again on every call (~30 µs); a list page prints the same
# deadlines for most of its rows, so the text is kept per value and language.
@lru_cache(maxsize=4096)
def _date_text(value: date, style: str, locale: str) -> str:
    return format_date(value, style, locale=locale)


@lru_cache(maxsize=4096)
def _datetime_text(value: datetime, locale: str) -> str:
    return format_datetime(value, "d MMM y HH:mm", tzinfo=_JAKARTA, locale=locale)


def option_tags(field: Any) -> Markup:
    """The ``<option>`` tags of a WTForms select field, the choice whose coerced value equals
    its data selected: the markup WTForms' widget gives, joined here. A national viewer's 600
    agencies took the Jinja loop of ``_macros.long_select`` 10 ms a page; escaping them on each
    page still took 1 ms, so the tags of a list of choices are kept (the same 600 agencies on
    every dashboard) and only the selection is marked per page."""
    pairs = tuple(_pair(c) for c in field.choices or ())
    tags = list(_option_tags(pairs))
    for i, (value, _label) in enumerate(pairs):
        if field.coerce(value) == field.data:
            # The escaped value holds no quote (escape() makes it &#34;): the first is its end.
            tags[i] = tags[i].replace('">', '" selected>', 1)
            break
    return Markup("".join(tags))  # noqa: S704 - every value in it is escaped


def _pair(choice: Any) -> tuple[Any, Any]:
    """A choice as WTForms accepts it (a SelectChoice, a (value, label) pair or a value)."""
    if isinstance(choice, SelectChoice):
        return choice.value, choice.label
    if isinstance(choice, tuple):
        return choice[0], choice[1]
    return choice, choice


@lru_cache(maxsize=64)
def _option_tags(pairs: tuple[tuple[Any, Any], ...]) -> tuple[str, ...]:
    # f-strings over escape(), not Markup.format per option (three times slower).
    return tuple(
        f'<option value="{escape(value)}">{escape(label)}</option>' for value, label in pairs
    )


def badge(text: object, kind: str = "neutral") -> Markup:
    """A small label (``badge-ok``, ``-warn``, ``-bad``, ``-info``, ``-neutral``). A global, not
    a macro: the LKE page's item templates draw it a hundred times, and each ``{% from %}`` of
    the macros file in an included template cost ~17 µs (issue 18 §3)."""
    # An f-string over escape(), as option_tags: Markup.format took 6 µs a badge.
    return Markup(f'<span class="badge badge-{escape(kind)}">{escape(text)}</span>')  # noqa: S704


_URGENCY_BADGES = {"overdue": "bad", "soon": "warn", "near": "info"}


def due_badge(item: Any) -> Markup:
    """The due date of a task or a stage (anything with ``urgency`` and ``days_phrase``): a
    badge with the days left, coloured by urgency. A global like ``badge``: the lists draw one
    per row, and a macro imported into each list cost more than the row's other cells."""
    urgency = item.urgency.value
    kind = _URGENCY_BADGES.get(urgency, "neutral")
    return Markup(  # noqa: S704 - every value in it is escaped
        f'<span class="badge badge-{kind} due-badge" data-urgency="{escape(urgency)}">'
        f"{escape(item.days_phrase)}</span>"
    )


def stage_due_line(due: Any) -> Markup:
    """The deadline of the stage a list shows (issue 15 §3): its name, date and days left;
    nothing for a stage without one."""
    if not due:
        return Markup("")
    return Markup(  # noqa: S704 - every value in it is escaped
        f'<span class="small stage-due">{escape(gettext(due.label))}: '
        f"{escape(fmt_date(due.due))} {due_badge(due)}</span>"
    )


def fmt_size(size: int | None) -> str:
    from tracker.evidence.filetypes import human_size

    return human_size(size) if size is not None else "–"


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(num=fmt_number, pct=fmt_percent, date=fmt_date, filesize=fmt_size)
    app.jinja_env.globals.update(
        current_locale=language,
        option_tags=option_tags,
        badge=badge,
        due_badge=due_badge,
        stage_due_line=stage_due_line,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
