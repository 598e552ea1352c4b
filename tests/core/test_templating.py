"""Jinja helpers (tracker.templating)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from flask import Flask
from markupsafe import Markup
from wtforms import Form, SelectField

from tracker.forms import choices
from tracker.templating import badge, fmt_date, fmt_number, fmt_percent, option_tags


class _Pick(Form):
    agency = SelectField(coerce=int)


def test_option_tags_escape_every_label_and_mark_the_chosen_one() -> None:
    form = _Pick(data={"agency": 2})
    form.agency.choices = choices([(1, 'Biro <Umum> & "Hukum"'), (2, "Dinas Kesehatan")])

    assert str(option_tags(form.agency)) == (
        '<option value="1">Biro &lt;Umum&gt; &amp; &#34;Hukum&#34;</option>'
        '<option value="2" selected>Dinas Kesehatan</option>'
    )


def test_option_tags_are_kept_per_list_and_marked_per_field() -> None:
    """The tags of one list of choices are drawn once; each field marks its own choice (or
    none), whatever the field before it chose."""
    pairs = [(n, f"Instansi {n}") for n in range(1, 4)]
    drawn = []
    for chosen in (3, 1, None, 3):
        form = _Pick(data={"agency": chosen})
        form.agency.choices = choices(pairs)
        drawn.append(str(option_tags(form.agency)))
    assert [d.count(" selected") for d in drawn] == [1, 1, 0, 1]
    assert '<option value="3" selected>Instansi 3</option>' in drawn[0]
    assert '<option value="1" selected>Instansi 1</option>' in drawn[1]
    assert drawn[0] == drawn[3]
    form = _Pick(data={"agency": 2})
    form.agency.choices = pairs  # plain (value, label) pairs, as WTForms also takes them
    assert '<option value="2" selected>Instansi 2</option>' in str(option_tags(form.agency))


def test_badge_escapes_its_text_and_keeps_markup_it_is_given() -> None:
    assert str(badge('<b>"x"</b>', "warn")) == (
        '<span class="badge badge-warn">&lt;b&gt;&#34;x&#34;&lt;/b&gt;</span>'
    )
    kept = '<span class="badge badge-neutral"><em>ok</em></span>'
    assert str(badge(Markup("<em>ok</em>"))) == kept


def test_numbers_read_the_same_from_the_kept_text_in_each_language(app: Flask) -> None:
    with app.test_request_context():
        assert fmt_number(95.575) == fmt_number(Decimal("95.575")) == "95,58"
        assert fmt_percent(0.5) == "50,00 %"
        assert fmt_number(1234.5, 1) == "1.234,5"
    with app.test_request_context():
        from flask import session

        session["lang"] = "en"
        assert fmt_number(95.575) == "95.58"
        assert fmt_number(1234.5, 1) == "1,234.5"


def test_dates_read_the_same_from_the_kept_text(app: Flask) -> None:
    """The formatted text is kept per value and language: a second reader in another language
    gets theirs, and a time shows the minute it falls in (Jakarta), seconds never changing it."""
    with app.test_request_context():
        first = fmt_date(date(2027, 3, 31))
        assert first == fmt_date(date(2027, 3, 31)) == "31 Maret 2027"
        moment = datetime(2027, 3, 31, 1, 2, 59, 999, tzinfo=UTC)
        assert fmt_date(moment) == fmt_date(moment.replace(second=0, microsecond=0))
        assert fmt_date(moment) == "31 Mar 2027 08:02"
    with app.test_request_context():
        from flask import session

        session["lang"] = "en"
        assert fmt_date(date(2027, 3, 31)) == "March 31, 2027"


def test_template_gettext_formats_as_jinja_new_style_gettext(app: Flask, english: None) -> None:
    """Placeholders are filled and escaped, ``%%`` reads ``%`` with or without them, and the
    reader's language is used."""
    render = app.jinja_env.from_string
    with app.test_request_context():
        assert render("{{ _('dibatasi 100%%') }}").render() == "dibatasi 100%"
        assert (
            render("{{ _('Ditugaskan kepada %(name)s', name=who) }}").render(who="<b>Ani</b>")
            == "Ditugaskan kepada &lt;b&gt;Ani&lt;/b&gt;"
        )
        assert render("{{ _('Unit') }}").render() == "Unit"
    with app.test_request_context():
        from flask import session

        session["lang"] = "en"
        assert render("{{ _('Ditugaskan kepada %(name)s', name='Ani') }}").render() == (
            "Assigned to Ani"
        )
