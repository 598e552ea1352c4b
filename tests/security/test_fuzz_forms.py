"""Hostile input to every form: never a 500, and a refused request changes nothing.

Every state-changing route is found in ``app.url_map`` (a new route is fuzzed automatically).
Hypothesis posts random and hostile values under the field names our forms use and under random
names: over-long text, markup and script, negative and huge numbers, malformed dates, unknown
ids, NUL and control characters. A refusal (any 4xx, or a redirect back with an error message)
must leave the database exactly as it was: every change is audited, so the audit head and the
row counts of every table are compared.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter

from tests.helpers import csrf_token, login_as
from tracker.audit.models import AuditEvent
from tracker.db import Base

FIELDS = [
    "value",
    "note",
    "version",
    "count_0",
    "count_1",
    "count_2",
    "index",
    "prov_source",
    "kind",
    "comment",
    "seq",
    "action",
    "decree_number",
    "decree_date",
    "on_date",
    "monitoring_result",
    "name",
    "short_name",
    "kind",
    "parent_id",
    "username",
    "full_name",
    "email",
    "password",
    "role",
    "agency_id",
    "unit_id",
    "areas",
    "active",
    "cycle_id",
    "target",
    "declared_on",
    "pakta_link",
    "year",
    "framework_id",
    "deadline",
    "new_date",
    "reason",
    "max_proposals",
    "occurred_on",
    "description",
    "code",
    "item",
    "document",
    "url",
    "title",
    "verdict",
    "current",
    "new",
    "confirm",
    "numbers",
    "q",
    "page",
]

HOSTILE = st.one_of(
    st.text(max_size=40),
    st.text(min_size=5000, max_size=9000, alphabet="aḁ<>\"'&;%"),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            '"><img src=x onerror=alert(1)>',
            "'; DROP TABLE users; --",
            "../../etc/passwd",
            "\x00",
            "\u202e",
            "%00",
            "-1",
            "-999999999999",
            "99999999999999999999",
            "1e309",
            "NaN",
            "0x10",
            "2026-02-30",
            "31/12/2026",
            "",
            " ",
            "A.I.1.i.a",
            "javascript:alert(1)",
            "{{7*7}}",
            "${7*7}",
            "Ya",
            "approved",
            "revision",
            "designate",
            "1,5",
        ]
    ),
    st.integers(min_value=-(2**63), max_value=2**63).map(str),
)


def _fingerprint(session) -> tuple:
    """Row counts of every table, and the head of the audit chain (an update changes no count,
    but every change appends an audit record)."""
    session.expire_all()
    counts = tuple(
        session.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables
    )
    head = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1))
    return counts, head


def _post_routes(app: Flask) -> list:
    return sorted(
        (r for r in app.url_map.iter_rules() if "POST" in (r.methods or set())),
        key=lambda r: r.rule,
    )


def _url(rule, values: dict, random_ids: bool, draw) -> str:
    args = {}
    for name in rule.arguments:
        conv = rule._converters[name]
        if random_ids:
            args[name] = (
                draw(st.integers(-5, 2**64))  # past the INTEGER columns too (issue 13 §13)
                if isinstance(conv, IntegerConverter)
                else draw(st.text(alphabet="abcABC.-_09%", min_size=1, max_size=30))
            )
        else:
            args[name] = values.get(name, "x")
        if isinstance(conv, IntegerConverter):
            args[name] = abs(int(args[name]))
    return rule.build(args, append_unknown=False)[1]


ERROR_FLASH = re.compile(r'class="flash flash-error"')


@pytest.mark.parametrize("persona", ["admin", "koordinator"])
@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_hostile_posts_never_break_anything(
    app, client, session, route_world, persona, data
) -> None:
    personas, values = route_world
    login_as(client, personas[persona])
    rule = data.draw(st.sampled_from(_post_routes(app)), label="route")
    url = _url(rule, values, data.draw(st.booleans(), label="random ids"), data.draw)
    names = data.draw(
        st.lists(st.one_of(st.sampled_from(FIELDS), st.text(max_size=12)), max_size=8),
        label="fields",
    )
    form = {n: data.draw(HOSTILE, label=n) for n in names}
    form["csrf_token"] = csrf_token(client, "/")
    before = _fingerprint(session)
    response = client.post(url, data=form, headers={"Referer": "http://localhost/"})
    assert response.status_code < 500, (rule.rule, form)
    refused = response.status_code >= 400 or (
        response.status_code in (302, 303)
        and ERROR_FLASH.search(client.get("/").get_data(as_text=True))
    )
    if refused:
        assert _fingerprint(session) == before, (rule.rule, form)
