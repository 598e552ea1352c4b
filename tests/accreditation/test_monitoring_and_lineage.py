"""Issue 17, the gaps the first pass left: the pause of the 2-yearly monitoring duty is one rule
that the monitoring page and "Tugas saya" both apply; filing the report on the monitoring page
moves a tracker-made enrolment through the workflow; a renamed unit carries its predicates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.accreditation.test_services import record_prerequisites
from tests.core.test_my_tasks import to_recommended
from tests.helpers import login_as
from tests.html import get_page
from tests.world import TODAY, YEAR, World
from tracker.accreditation import cycles, designations, workflow
from tracker.accreditation.context import actor_for
from tracker.accreditation.enrolment import enrol
from tracker.accreditation.models import (
    Designation,
    Enrolment,
    MonitoringResult,
    Predicate,
)
from tracker.accreditation.my_tasks import my_tasks
from tracker.accreditation.workflow import Action, Stage
from tracker.accreditation.worklist import TaskKind
from tracker.agencies import lineage
from tracker.agencies.lineage_models import SuccessionKind
from tracker.agencies.models import Unit
from tracker.certificates import services as certificates
from tracker.complaints import monitoring
from tracker.errors import ValidationError
from tracker.evidence.models import EvidenceFile, EvidencePurpose


def test_the_pause_rule_is_accreditations_and_holds_only_for_a_wbk_unit_proposed() -> None:
    assert workflow.monitoring_paused(holds_wbk_only=True, proposed_for_wbbm=True)
    assert not workflow.monitoring_paused(holds_wbk_only=True, proposed_for_wbbm=False)
    assert not workflow.monitoring_paused(holds_wbk_only=False, proposed_for_wbbm=True)
    assert {Stage.PROPOSED, Stage.FIELD_EVALUATION} <= workflow.PROPOSED_STAGES
    assert not workflow.PROPOSED_STAGES & {Stage.TPI_EVALUATION, Stage.DESIGNATED}


def _designated(world: World) -> Enrolment:
    e = to_recommended(world)
    record_prerequisites(world, e)
    world.act(world.pimpinan, e, Action.PROPOSE, on=date(YEAR, 5, 20))
    world.act(world.tpn, e, Action.ADMIN_PASS)
    world.act(world.tpn, e, Action.DESK_CONTINUE)
    world.tpn_surveys(e)
    world.act(
        world.tpn, e, Action.DESIGNATE, decree_number="9/2026", decree_date=date(YEAR, 12, 10)
    )
    return e


def _letter(world: World) -> EvidenceFile:
    letter = EvidenceFile(
        public_id="f" * 32,
        series="f" * 32,
        purpose=EvidencePurpose.MONITORING,
        original_name="Surat laporan pemantauan.pdf",
        link_url="https://example.go.id/pemantauan.pdf",
        uploaded_by_id=world.tpi.id,
        frozen=True,
    )
    world.session.add(letter)
    world.session.flush()
    return letter


def test_the_worklist_drops_the_monitoring_task_while_the_unit_is_proposed_for_wbbm(
    world: World, client
) -> None:
    e = _designated(world)
    # One path: the enrolment page's step leads to the monitoring page, no form of its own.
    login_as(client, world.tpi)
    step = get_page(client, f"/enrolments/{e.id}").one("#report-monitoring")
    assert step.one("a").attr("href") == f"/units/{world.polres.id}/monitoring"
    assert step.select("form") == []
    day = date(YEAR + 2, 11, 1)
    (task,) = my_tasks(world.session, world.tpi, day).tasks
    assert task.kind is TaskKind.MONITORING

    # The unit builds on its WBK toward WBBM in the next cycle and is proposed to TPN.
    later = cycles.create_cycle(
        world.session,
        user=world.admin,
        year=YEAR + 1,
        name="",
        framework=world.cycle.framework,
        calendar=cycles.Calendar.default(YEAR + 1),
    )
    wbbm = enrol(
        world.session,
        actor=actor_for(world.pimpinan, world.polres),
        cycle=later,
        unit=world.polres,
        target=Predicate.WBBM,
        declared_on=TODAY,
    )
    wbbm.stage = Stage.PROPOSED  # the path there is the workflow's own tests'
    world.session.commit()
    assert my_tasks(world.session, world.tpi, day).tasks == []
    (duty,) = monitoring.page(world.session, world.polres, day).duties
    assert duty.paused and not duty.overdue  # the same rule on the monitoring page

    # Back with the unit (not in TPN's hands): the duty and the task return.
    wbbm.stage = Stage.BUILDING
    world.session.commit()
    (task,) = my_tasks(world.session, world.tpi, day).tasks
    assert task.kind is TaskKind.MONITORING

    # Filing the report on the monitoring page moves the enrolment and clears the task.
    designation = designations.designation_of(world.session, e)
    report, opened = monitoring.record_report(
        world.session,
        user=world.tpi,
        designation=designation,
        on=day,
        result=MonitoringResult.STILL_MEETS,
        lke_score=Decimal("84.10"),
        letter=_letter(world),
        note="Masih memenuhi",
        today=day,
    )
    world.session.commit()
    assert opened is None and report.designation_id == designation.id
    assert e.stage is Stage.MONITORING
    assert e.transitions[-1].action is Action.REPORT_MONITORING
    assert my_tasks(world.session, world.tpi, day).tasks == []


def _recorded_wbk(world: World, unit: Unit, year: int, number: str) -> Designation:
    row = Designation(
        unit_id=unit.id,
        agency_id=unit.agency_id,
        predicate=Predicate.WBK,
        year=year,
        decree_number=number,
        decree_date=date(year, 12, 10),
        snapshot_sha256="a" * 64,
    )
    world.session.add(row)
    world.session.flush()
    return row


def test_a_renamed_unit_carries_its_wbk_toward_wbbm_and_its_certificate_keeps_the_name(
    world: World, factory, client
) -> None:
    old = world.sibling  # "Polres Tetangga", enrolled by the administrator
    wbk = _recorded_wbk(world, old, YEAR - 1, "7 Tahun 2025")
    certificate = certificates.issue_for_designation(
        world.session, designation=wbk, user=None, issued_on=wbk.decree_date
    )
    renamed = factory.unit(world.agency, "Polres Tetangga Raya", "Polres", parent=world.polda)
    world.session.commit()
    assert not designations.holds(world.session, renamed.id, Predicate.WBK)
    with pytest.raises(ValidationError, match="WBBM hanya dapat dimulai"):
        world.enrol(renamed, target=Predicate.WBBM)

    lineage.record(
        world.session,
        user=world.admin,
        predecessor=old,
        successor=renamed,
        kind=SuccessionKind.RENAME,
        on=date(YEAR, 1, 15),
        decree_ref="Perkap 1 Tahun 2026",
        today=TODAY,
    )
    world.session.commit()
    assert designations.active_designation(world.session, renamed.id, Predicate.WBK) is wbk
    # The LKE page's test, by a statement built once, for the unit and for its predecessor.
    assert designations.holds(world.session, renamed.id, Predicate.WBK)
    assert designations.holds(world.session, old.id, Predicate.WBK)
    assert not designations.holds(world.session, renamed.id, Predicate.WBBM)
    with pytest.raises(ValidationError, match="masih berpredikat Menuju WBK"):
        world.enrol(renamed, target=Predicate.WBK)
    e = world.enrol(renamed, target=Predicate.WBBM)  # D9, on the WBK it held as Polres Tetangga
    assert (e.unit_id, e.target) == (renamed.id, Predicate.WBBM)
    world.session.refresh(certificate)
    assert certificate.unit_name == "Polres Tetangga"  # as issued

    login_as(client, world.admin)
    card = get_page(client, f"/units/{renamed.id}/zi").one(".carried-predicate")
    assert "Menuju WBK" in card.text and "7 Tahun 2025" in card.text
    assert "dibawa dari Polres Tetangga" in card.text


def test_the_carrying_walk_in_one_query_finds_what_the_links_walk_finds(
    world: World, factory
) -> None:
    """``lineage.carrying_ids`` (one recursive query) and ``carried_from`` (one query per
    generation) name the same units: renames and merges through generations, no split."""
    units = {
        name: factory.unit(world.agency, f"Polres Silsilah {name}", "Polres", parent=world.polda)
        for name in ("a", "b", "c", "d", "e", "f")
    }
    world.session.commit()
    for old, new, kind in [
        ("a", "b", SuccessionKind.RENAME),  # a -> b -> c: two generations back from c
        ("b", "c", SuccessionKind.MERGE),
        ("d", "c", SuccessionKind.MERGE),
        ("e", "d", SuccessionKind.SPLIT),  # a split part starts fresh: e is not carried
        ("f", "a", SuccessionKind.RENAME),  # three generations back
    ]:
        lineage.record(
            world.session,
            user=world.admin,
            predecessor=units[old],
            successor=units[new],
            kind=kind,
            on=date(YEAR, 1, 15),
            decree_ref=f"Perkap {old}{new}",
            today=TODAY,
        )
    world.session.commit()
    for unit in units.values():
        walked = {unit.id} | {
            link.predecessor_id for link in lineage.carried_from(world.session, unit.id)
        }
        assert set(world.session.scalars(lineage.carrying_ids(unit.id))) == walked
    c = units["c"]
    assert set(world.session.scalars(lineage.carrying_ids(c.id))) == {
        units[n].id for n in ("a", "b", "c", "d", "f")
    }


def test_the_parts_of_a_split_unit_start_fresh(world: World, factory) -> None:
    _recorded_wbk(world, world.sibling, YEAR - 1, "8 Tahun 2025")
    parts = [
        factory.unit(world.agency, f"Polres Pecahan {n}", "Polres", parent=world.polda)
        for n in (1, 2)
    ]
    world.session.commit()
    for part in parts:
        lineage.record(
            world.session,
            user=world.admin,
            predecessor=world.sibling,
            successor=part,
            kind=SuccessionKind.SPLIT,
            on=date(YEAR, 1, 15),
            decree_ref="Perkap 2 Tahun 2026",
            today=TODAY,
        )
    world.session.commit()
    for part in parts:
        assert designations.active_designation(world.session, part.id, Predicate.WBK) is None
        assert designations.carried_designations(world.session, part.id) == []
    assert world.session.scalars(select(Designation)).one().unit_id == world.sibling.id
