"""The dashboard's downloads and the assessor calibration page (issue 16 §4, §6).

``/dashboard/export.<csv|xlsx>`` holds every unit the dashboard lists under the same filters and
scope (all pages), written by ``tracker.exports``. ``/dashboard/calibration`` shows, for the units
both TPI and TPN scored, TPI's area scores minus TPN's, per area and year: TPN and administrators
see every agency, an agency's leadership and TPI their own (the scope of their grants).
"""

from __future__ import annotations

from decimal import Decimal

from flask import render_template
from flask.typing import ResponseReturnValue

from tracker import exports
from tracker.accreditation import statistics, tiers
from tracker.accreditation.models import Cycle
from tracker.accreditation.web import charts
from tracker.accreditation.web.report_views import (
    DASHBOARD_READERS,
    dashboard_filters,
    dashboard_query,
)
from tracker.accreditation.web.views import bp
from tracker.accreditation.workflow import STAGE_LABELS
from tracker.auth.access import scope_of
from tracker.auth.login import actor_grants, role_required
from tracker.downloads import send_table
from tracker.extensions import figures
from tracker.i18n import _, in_english
from tracker.sessions import get_session

CENTS = Decimal("0.01")  # D6: two decimals shown (the page's figures)
UNIT_ROWS = 200  # units listed one by one on the calibration page; the chart covers them all


@bp.get("/dashboard/export.<any(csv, xlsx):kind>")
@role_required(*DASHBOARD_READERS)
def dashboard_export(kind: str) -> ResponseReturnValue:
    query = dashboard_query()
    cycle, scope, form = query.cycle, query.scope, query.form
    rows = (
        statistics.board_rows(get_session(), scope, cycle, dashboard_filters(form)) if cycle else []
    )
    table = board_table(cycle, rows)
    stem = f"dasbor-zi-{cycle.year}" if cycle else "dasbor-zi"
    return send_table(table, stem, exports.Format(kind))


def board_table(cycle: Cycle | None, rows: list[statistics.BoardRow]) -> exports.Table:
    """The dashboard's rows as a sheet: the unit, its stage and each tier's score and verdict."""
    english = in_english()
    tier_list = list(tiers.parse_tiers(cycle.tiers)) if cycle else []
    headers = [_("Unit"), _("Instansi"), _("Tahun"), _("Target"), _("Tahap"), _("Sejak")]
    for t in tier_list:
        name = t.label_en if english else t.label
        headers += [
            _("Nilai %(tier)s", tier=name),
            _("Memenuhi syarat (%(tier)s)", tier=name),
            _("Butir terjawab (%(tier)s)", tier=name),
        ]
    body = []
    for row in rows:
        e = row.enrolment
        cells: list[exports.Cell] = [
            e.unit.name,
            e.unit.agency.short_name,
            cycle.year if cycle else None,
            e.target.value,
            _(STAGE_LABELS[e.stage]),
            e.stage_since.date(),
        ]
        for t in tier_list:
            a = row.by_tier.get(t.code)
            if a is None or a.score_total is None:
                cells += [None, None, None]
                continue
            ok = a.eligible_wbk if e.target.value == "WBK" else a.eligible_wbbm
            cells += [
                Decimal(a.score_total).quantize(CENTS),
                _("ya") if ok else _("tidak"),
                a.answered,
            ]
        body.append(cells)
    return exports.Table(_("Dasbor ZI"), headers, body)


@bp.get("/dashboard/calibration")
@role_required(*DASHBOARD_READERS)
def calibration() -> ResponseReturnValue:
    session, scope = get_session(), scope_of(actor_grants())
    # Issue 18 §3: every unit of the country that TPI and TPN both scored, in every cycle: an
    # aggregate nobody needs to the second, reused for a minute per scope (``tracker.memo``).
    result = figures().get(("calibration", scope), lambda: statistics.calibration(session, scope))
    return render_template(
        "accreditation/calibration.html",
        result=result,
        chart=charts.calibration_chart(result),
        units=result.units[:UNIT_ROWS],
        more=max(0, len(result.units) - UNIT_ROWS),
        english=in_english(),
    )
