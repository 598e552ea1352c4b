"""The life cycle through the services, on a real database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import event, select

from tests.lke_answers import perfect_answers
from tests.world import TODAY, YEAR, World
from tracker.accreditation import assessments, cycles, reviews, snapshots, transitions
from tracker.accreditation.enrolment import enrol
from tracker.accreditation.models import (
    Answer,
    DecisionKind,
    Designation,
    Enrolment,
    MonitoringReport,
    MonitoringResult,
    Predicate,
    Snapshot,
    StageTransition,
)
from tracker.accreditation.workflow import Action, Deadline, Stage
from tracker.audit import services as audit
from tracker.auth.roles import Role
from tracker.complaints import monitoring as complaint_monitoring
from tracker.errors import ConflictError, InvalidTransitionError, NotAllowedError, ValidationError
from tracker.evidence import services as evidence
from tracker.evidence.models import EvidenceFile, EvidencePurpose


def approve_all(world: World, enrolment, user) -> None:
    """A reviewer approves every item and signs off every area."""
    framework = assessments.framework_for(enrolment)
    actor = world.actor(user, enrolment.unit)
    latest = reviews.latest_decisions(world.session, enrolment.id)
    tier = {"preliminary": "preliminary", "tpi_evaluation": "tpi"}[enrolment.stage.value]
    for item in framework.items():
        seq = latest[(tier, item.code)].seq if (tier, item.code) in latest else 0
        world.decide(actor, enrolment, item.code, DecisionKind.APPROVED, seq=seq)
    for area in transitions.area_keys(enrolment):
        codes = [i.code for i in framework.items() if reviews.tiers.area_of(i.code) == area]
        reviews.sign_off_area(
            world.session, actor=actor, enrolment=enrolment, area=area, item_codes=codes
        )
    world.session.commit()


def answer_of(world: World, enrolment, code: str, tier: str = "unit"):
    """(value, version) of one stored answer, read afresh; None when there is none."""
    world.session.expire_all()
    assessment = assessments.get_assessment(world.session, enrolment.id, tier)
    row = assessments.answer_rows(world.session, [assessment.id])[assessment.id].get(code)
    return None if row is None else (row.value, row.version)


def to_tpi_recommended(world: World, enrolment) -> None:
    world.act(world.koordinator, enrolment, Action.START_BUILDING)
    world.fill(enrolment)
    world.act(world.koordinator, enrolment, Action.SUBMIT_PRELIMINARY)
    approve_all(world, enrolment, world.penilai)
    world.act(world.penilai, enrolment, Action.PRELIMINARY_PASS)
    approve_all(world, enrolment, world.tpi)
    world.act(world.tpi, enrolment, Action.TPI_MEETS, on=date(YEAR, 5, 1))


def record_prerequisites(world: World, enrolment) -> None:
    from tracker.accreditation import proposal
    from tracker.evidence import services as evidence
    from tracker.evidence.models import EvidencePurpose

    actor = world.actor(world.pimpinan, enrolment.unit)
    values = {
        "agency.bpk_opinion": "WTP",
        "agency.sakip": "BB",
        "agency.rb_index": "BB",
        "agency.spip": "3",
        "unit.core_service": "Ya",
        "unit.public_impact": "Ya",
        "unit.tlhp": "100",
        "unit.lhkpn": "100",
        "unit.building_months": "14",
        "unit.internal_sakip": "BB",
    }
    for code, value in values.items():
        link = evidence.add_link(
            world.session,
            user=world.pimpinan,
            enrolment=enrolment,
            target=evidence.Target(
                EvidencePurpose.PREREQUISITE, document_key=code.replace(".", "-")
            ),
            url=f"https://example.go.id/{code}",
            title=code,
        )
        proposal.record(
            world.session,
            actor=actor,
            enrolment=enrolment,
            code=code,
            value=value,
            note="",
            evidence=link,
        )
    world.session.commit()


def test_the_whole_journey_to_designation(world: World) -> None:
    e = world.enrol()
    to_tpi_recommended(world, e)
    assert e.stage is Stage.TPI_RECOMMENDED
    with pytest.raises(InvalidTransitionError, match="Persyaratan usulan belum terpenuhi"):
        world.act(world.pimpinan, e, Action.PROPOSE, on=date(YEAR, 5, 20))
    record_prerequisites(world, e)
    world.act(world.pimpinan, e, Action.PROPOSE, on=date(YEAR, 5, 20))
    world.act(world.tpn, e, Action.ADMIN_PASS)
    world.act(world.tpn, e, Action.DESK_CONTINUE)
    world.tpn_surveys(e)
    world.act(
        world.tpn, e, Action.DESIGNATE, decree_number="123/2026", decree_date=date(YEAR, 12, 10)
    )
    assert e.stage is Stage.DESIGNATED
    designation = world.session.scalars(select(Designation)).one()
    tpn_snapshot = world.session.get(Snapshot, designation.snapshot_id)
    assert tpn_snapshot.kind is Action.DESIGNATE
    assert (
        designation.snapshot_sha256 == tpn_snapshot.sha256 == snapshots.digest(tpn_snapshot.payload)
    )
    assert designation.predicate is Predicate.WBK and designation.year == YEAR
    kinds = [s.kind for s in world.session.scalars(select(Snapshot).order_by(Snapshot.id))]
    assert kinds == [
        Action.SUBMIT_PRELIMINARY,
        Action.PRELIMINARY_PASS,
        Action.TPI_MEETS,
        Action.PROPOSE,
        Action.DESIGNATE,
    ]
    assert set(tpn_snapshot.payload["tiers"]) == {"unit", "preliminary", "tpi", "tpn"}
    # Perfect answers, approved by every tier: each tier's frozen scores are the full marks,
    # as exact decimals (60 enablers + 40 results; the six areas share the 60).
    for tier, frozen in tpn_snapshot.payload["tiers"].items():
        scores = frozen["scores"]
        assert Decimal(scores["total"]) == 100, tier
        assert (Decimal(scores["pengungkit"]), Decimal(scores["hasil"])) == (60, 40), tier
        assert sum(Decimal(v) for v in scores["areas"].values()) == 60, tier
        assert (scores["answered"], scores["total_items"]) == (113, 113), tier
        assert frozen["eligibility"]["WBK"]["eligible"] is True, tier
    assert audit.verify(world.session) is None


def test_snapshots_never_change(world: World) -> None:
    e = world.submitted()
    snap = world.session.scalars(select(Snapshot)).one()
    frozen = dict(snap.payload)
    # The unit is sent back and edits its answers: the snapshot of the submission stays.
    world.act(world.penilai, e, Action.PRELIMINARY_RETURN, note="Lengkapi bukti area 5")
    world.answer(world.actor(world.koordinator), e, "A.I.1.i.a", "Tidak", version=1)
    world.session.commit()
    world.session.expire_all()
    snap = world.session.get(Snapshot, snap.id)
    assert snap.payload == frozen and snapshots.verify(snap)
    assert snap.payload["tiers"]["unit"]["answers"]["A.I.1.i.a"] == "Ya"
    snap.payload = {"forged": True}
    with pytest.raises(RuntimeError, match="immutable"):
        world.session.flush()
    world.session.rollback()


def test_tiers_keep_their_own_answers(world: World) -> None:
    e = world.submitted()
    prelim = assessments.get_assessment(world.session, e.id, "preliminary")
    assert prelim.seeded_from == "unit" and prelim.answered == 113
    world.answer(
        world.actor(world.penilai),
        e,
        "A.I.1.i.b",
        "C",
        version=1,
        tier="preliminary",
        note="Tidak ada SK",
    )
    world.session.commit()
    unit_rows = assessments.answer_rows(
        world.session, [assessments.get_assessment(world.session, e.id, "unit").id]
    )
    assert next(iter(unit_rows.values()))["A.I.1.i.b"].value == "A"
    # Nobody writes into another tier: the assessor cannot touch the unit's answers, and the
    # coordinator cannot touch the assessor's.
    with pytest.raises(NotAllowedError):
        world.answer(world.actor(world.penilai), e, "A.I.1.i.b", "C", version=1)
    with pytest.raises(NotAllowedError):
        world.answer(
            world.actor(world.koordinator), e, "A.I.1.i.b", "A", version=2, tier="preliminary"
        )
    world.session.rollback()
    assert answer_of(world, e, "A.I.1.i.b") == ("A", 1)
    assert answer_of(world, e, "A.I.1.i.b", tier="preliminary") == ("C", 2)


def test_the_revision_loop_keeps_its_history(world: World) -> None:
    e = world.submitted()
    penilai, koordinator = world.actor(world.penilai), world.actor(world.koordinator)
    with pytest.raises(ValidationError, match="alasan"):
        world.decide(penilai, e, "A.I.1.i.a", DecisionKind.REVISION, seq=0, comment=" ")
    world.decide(
        penilai, e, "A.I.1.i.a", DecisionKind.REVISION, seq=0, comment="SK tim belum ditandatangani"
    )
    world.session.commit()
    # Only the item sent back is open again for the unit.
    world.answer(koordinator, e, "A.I.1.i.a", "Ya", version=1, note="SK baru diunggah")
    with pytest.raises(NotAllowedError, match="hanya butir yang dikembalikan"):
        world.answer(koordinator, e, "A.I.1.i.b", "B", version=1)
    assert answer_of(world, e, "A.I.1.i.b") == ("A", 1)  # the refused edit left it alone
    reviews.mark_revised(
        world.session,
        actor=koordinator,
        enrolment=e,
        item_code="A.I.1.i.a",
        comment="sudah",
        expected_seq=1,
    )
    world.decide(penilai, e, "A.I.1.i.a", DecisionKind.APPROVED, seq=2)
    world.session.commit()
    kinds = [d.kind for d in reviews.history(world.session, e.id, "A.I.1.i.a")]
    assert kinds == [DecisionKind.REVISION, DecisionKind.REVISED, DecisionKind.APPROVED]


def test_two_reviewers_deciding_at_once_do_not_overwrite(world: World, factory) -> None:
    e = world.submitted()
    colleague = factory.user((Role.PENILAI_PENDAHULUAN, world.polda))  # same tier, another person
    first, second = world.actor(world.penilai), world.actor(colleague)
    assert first.id != second.id
    world.decide(first, e, "A.I.2.i.a", DecisionKind.APPROVED, seq=0)
    world.session.commit()
    # The second reviewer's form was loaded before the first decision (it saw seq 0).
    with pytest.raises(ConflictError, match="baru saja diputuskan"):
        world.decide(second, e, "A.I.2.i.a", DecisionKind.REVISION, seq=0, comment="beda pendapat")
    world.session.rollback()
    history = reviews.history(world.session, e.id, "A.I.2.i.a")
    assert [(d.kind, d.actor_id, d.seq) for d in history] == [
        (DecisionKind.APPROVED, world.penilai.id, 1)
    ]
    # Reloaded, the second reviewer builds on the first decision and is heard.
    world.decide(second, e, "A.I.2.i.a", DecisionKind.REVISION, seq=1, comment="beda pendapat")
    history = reviews.history(world.session, e.id, "A.I.2.i.a")
    assert [(d.kind, d.actor_id) for d in history] == [
        (DecisionKind.APPROVED, world.penilai.id),
        (DecisionKind.REVISION, colleague.id),
    ]


def test_concurrent_answer_edits_are_detected(world: World) -> None:
    """The coordinator and a working-group member of area 5 edit the same item at once."""
    e = world.building()
    coordinator, member = world.actor(world.koordinator), world.actor(world.pokja)
    world.answer(coordinator, e, "A.I.5.i.a", "A", version=0)
    world.session.commit()
    with pytest.raises(ConflictError, match="baru saja diubah"):
        world.answer(member, e, "A.I.5.i.a", "B", version=0)  # its form still said version 0
    world.session.rollback()
    row = world.session.scalars(select(Answer).where(Answer.item_code == "A.I.5.i.a")).one()
    assert (row.value, row.version, row.updated_by_id) == ("A", 1, world.koordinator.id)


def test_bad_answers_are_refused_with_the_code(world: World) -> None:
    e = world.building()
    actor = world.actor(world.koordinator)
    for code, raw, message in [
        ("A.I.1.i.a", "B", "A.I.1.i.a"),
        ("A.II.4.i.a", ["5", "-1"], "negatif"),
        ("B.I.a", "4.5", "B.I.a"),
        ("X.9", "Ya", "tidak dikenal"),
    ]:
        with pytest.raises(ValidationError, match=message):
            world.answer(actor, e, code, raw, version=0)
    world.session.rollback()
    assert world.session.scalars(select(Answer)).all() == []


def test_working_group_members_edit_only_their_areas(world: World) -> None:
    e = world.building()
    pokja = world.actor(world.pokja)
    world.answer(pokja, e, "A.I.5.i.a", "A", version=0)
    world.session.commit()
    with pytest.raises(NotAllowedError, match="area yang ditugaskan"):
        world.answer(pokja, e, "A.I.1.i.a", "Ya", version=0)
    world.session.rollback()
    assert world.session.scalars(select(Answer.item_code)).all() == ["A.I.5.i.a"]


def test_submission_needs_every_item_answered(world: World) -> None:
    e = world.building()
    answers = perfect_answers(assessments.framework_for(e))
    answers.pop("B.II.a")
    world.fill(e, answers=answers)
    with pytest.raises(InvalidTransitionError, match="1 butir LKE yang belum dijawab"):
        world.act(world.koordinator, e, Action.SUBMIT_PRELIMINARY)


def test_deadlines_and_their_extension(world: World) -> None:
    e = world.building()
    world.fill(e)
    late = date(YEAR, 4, 2)
    with pytest.raises(InvalidTransitionError, match="Batas waktu sudah lewat"):
        world.act(world.koordinator, e, Action.SUBMIT_PRELIMINARY, on=late)
    other = world.admin
    cycles.extend_deadline(
        world.session,
        user=other,
        cycle=world.cycle,
        deadline=Deadline.SELF_ASSESSMENT_END,
        new_date=date(YEAR, 4, 15),
        reason="Banjir di wilayah unit",
        agency=world.agency,
    )
    world.session.commit()
    with pytest.raises(ValidationError, match="sesudah"):
        cycles.extend_deadline(
            world.session,
            user=other,
            cycle=world.cycle,
            deadline=Deadline.SELF_ASSESSMENT_END,
            new_date=date(YEAR, 4, 1),
            reason="x",
            agency=world.agency,
        )
    world.act(world.koordinator, e, Action.SUBMIT_PRELIMINARY, on=late)
    assert e.stage is Stage.PRELIMINARY
    # Other agencies keep the original date.
    assert cycles.effective_deadlines(world.session, world.cycle, None)[
        Deadline.SELF_ASSESSMENT_END
    ] == date(YEAR, 3, 31)


def test_wbbm_only_from_an_active_wbk(world: World, factory) -> None:
    with pytest.raises(ValidationError, match="Menuju WBK"):
        world.enrol(target=Predicate.WBBM)
    world.session.rollback()
    world.session.add(
        Designation(
            unit_id=world.polres.id,
            agency_id=world.agency.id,
            predicate=Predicate.WBK,
            year=YEAR - 2,
            decree_number="1/2024",
            decree_date=date(YEAR - 2, 12, 10),
            snapshot_sha256="0" * 64,
        )
    )
    world.session.commit()
    assert world.enrol(target=Predicate.WBBM).target is Predicate.WBBM


def test_revocation_bars_proposals_for_two_years(world: World) -> None:
    e = world.enrol()
    to_tpi_recommended(world, e)
    record_prerequisites(world, e)
    world.session.add(
        Designation(
            unit_id=world.polres.id,
            agency_id=world.agency.id,
            predicate=Predicate.WBK,
            year=YEAR - 3,
            decree_number="9/2023",
            decree_date=date(YEAR - 3, 12, 10),
            snapshot_sha256="1" * 64,
            revoked_on=date(YEAR - 1, 6, 30),
            revocation_reason="OTT",
        )
    )
    world.session.commit()
    with pytest.raises(InvalidTransitionError, match=f"{YEAR + 1}-06-30"):
        world.act(world.pimpinan, e, Action.PROPOSE, on=date(YEAR, 5, 20))


def file_monitoring_report(world: World, e: Enrolment, on: date) -> MonitoringReport:
    """TPI files the 2-yearly report on the monitoring page's path, its letter a link."""
    letter = EvidenceFile(
        public_id="m" * 32,
        series="m" * 32,
        purpose=EvidencePurpose.MONITORING,
        original_name="Surat laporan pemantauan.pdf",
        link_url="https://example.go.id/pemantauan.pdf",
        uploaded_by_id=world.tpi.id,
        frozen=True,
    )
    world.session.add(letter)
    world.session.flush()
    report, _task = complaint_monitoring.record_report(
        world.session,
        user=world.tpi,
        designation=world.session.scalars(
            select(Designation).where(Designation.enrolment_id == e.id)
        ).one(),
        on=on,
        result=MonitoringResult.STILL_MEETS,
        lke_score=Decimal("82.50"),
        letter=letter,
        note="Masih memenuhi",
        today=on,
    )
    world.session.commit()
    return report


def test_designated_units_can_be_revoked_and_monitored(world: World) -> None:
    e = world.enrol()
    to_tpi_recommended(world, e)
    record_prerequisites(world, e)
    world.act(world.pimpinan, e, Action.PROPOSE, on=date(YEAR, 5, 20))
    world.act(world.tpn, e, Action.ADMIN_FAIL, note="SPTJM tidak ditandatangani")
    world.act(world.pimpinan, e, Action.APPEAL, note="SPTJM terlampir", on=date(YEAR, 7, 1))
    with pytest.raises(InvalidTransitionError):
        world.act(world.pimpinan, e, Action.APPEAL, note="lagi", on=date(YEAR, 7, 1))
    world.act(world.tpn, e, Action.APPEAL_ACCEPT)
    world.act(world.tpn, e, Action.DESK_CONTINUE)
    world.tpn_surveys(e)
    world.act(
        world.tpn, e, Action.DESIGNATE, decree_number="55/2026", decree_date=date(YEAR, 12, 9)
    )
    # One path (issue 17 §3): the step is never taken without a report on file; filing the
    # report on the monitoring page (with its LKE score and letter) takes it.
    with pytest.raises(InvalidTransitionError, match="halaman pemantauan"):
        world.act(world.tpi, e, Action.REPORT_MONITORING, on_date=date(YEAR + 1, 12, 1))
    file_monitoring_report(world, e, date(YEAR + 1, 12, 1))
    assert e.stage is Stage.MONITORING
    world.act(
        world.tpn,
        e,
        Action.REVOKE,
        note="Kapolres tersangka gratifikasi",
        decree_number="12/2028",
        decree_date=date(YEAR + 2, 1, 20),
        on_date=date(YEAR + 2, 2, 3),
    )
    designation = world.session.scalars(select(Designation)).one()
    assert designation.revoked_on == date(YEAR + 2, 2, 3) and not designation.active
    assert (designation.revocation_decree_number, designation.revocation_decree_date) == (
        "12/2028",
        date(YEAR + 2, 1, 20),
    )


def test_kkn_case_voids_the_agencys_pending_proposals(world: World) -> None:
    e = world.enrol()
    other = world.enrol(world.sibling)
    to_tpi_recommended(world, e)
    record_prerequisites(world, e)
    world.act(world.pimpinan, e, Action.PROPOSE, on=date(YEAR, 5, 20))
    voided = transitions.record_kkn_case(
        world.session,
        user=world.tpn,
        agency_id=world.agency.id,
        occurred_on=date(YEAR, 6, 1),
        description="OTT kepala",
    )
    world.session.commit()
    assert voided == [e] and e.stage is Stage.VOID
    assert other.stage is Stage.DECLARED  # not yet proposed: untouched


def test_quota_limits_proposals(world: World) -> None:
    e = world.enrol()
    cycles.set_quota(
        world.session, user=world.admin, cycle=world.cycle, agency=world.agency, max_proposals=0
    )
    world.session.commit()
    to_tpi_recommended(world, e)
    record_prerequisites(world, e)
    with pytest.raises(InvalidTransitionError, match="Kuota"):
        world.act(world.pimpinan, e, Action.PROPOSE, on=date(YEAR, 5, 20))


def test_tpi_verdict_not_yet_sends_the_unit_back_with_the_lhe(world: World) -> None:
    e = world.submitted()
    approve_all(world, e, world.penilai)
    world.act(world.penilai, e, Action.PRELIMINARY_PASS)
    world.act(world.tpi, e, Action.TPI_NOT_YET, note="LHE internal: area 5 belum memadai")
    assert e.stage is Stage.BUILDING
    last = world.session.scalars(
        select(StageTransition).order_by(StageTransition.id.desc())
    ).first()
    assert last.note.startswith("LHE internal")
    assert not reviews.signed_areas(world.session, e.id, "preliminary")


def test_someone_moving_the_enrolment_first_is_a_conflict(world: World) -> None:
    e = world.enrol()
    with pytest.raises(ConflictError):
        transitions.advance(
            world.session,
            actor=world.actor(world.koordinator),
            enrolment=e,
            action=Action.START_BUILDING,
            expected_version=e.version + 1,
            on=TODAY,
        )


def test_queue_lists_oldest_first(world: World) -> None:
    from tracker.accreditation import dashboards
    from tracker.auth.access import scope_of

    first, second = world.enrol(), world.enrol(world.sibling)
    for e in (first, second):
        world.act(world.koordinator if e is first else world.admin, e, Action.START_BUILDING)
    world.fill(first)
    world.act(world.koordinator, first, Action.SUBMIT_PRELIMINARY)
    grants = world.penilai.access_grants()
    entries = dashboards.review_queue(
        world.session, scope_of(grants), frozenset({Role.PENILAI_PENDAHULUAN})
    )
    assert [q.enrolment.id for q in entries] == [first.id]
    assert entries[0].undecided == 113


def test_dashboard_queries_are_bounded(world: World, factory) -> None:
    from tracker.accreditation import dashboards
    from tracker.auth.access import scope_of

    def count_queries(n_units: int) -> int:
        for i in range(n_units):
            world.enrol(factory.unit(world.agency, f"Unit Dasbor {n_units}-{i}"))
        statements: list[str] = []
        engine = world.session.get_bind()
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            board = dashboards.board(
                world.session,
                scope_of([factory.user(Role.TPN).access_grants()[0]]),
                world.cycle,
                dashboards.Filters(),
            )
            for enrolment, tiers in board.rows:
                assert enrolment.unit.agency.name and tiers
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    small, large = count_queries(3), count_queries(20)
    assert small == large


def test_approving_the_rest_of_an_area_leaves_sent_back_items_alone(world: World) -> None:
    e = world.submitted()
    penilai = world.actor(world.penilai)
    world.decide(penilai, e, "A.I.1.i.a", DecisionKind.REVISION, seq=0, comment="Belum ada SK")
    codes = [
        i.code for i in assessments.framework_for(e).items() if reviews.tiers.area_of(i.code) == "1"
    ]
    for code in codes:  # evidence on every item: "approve all" skips those without (D16)
        evidence.add_link(
            world.session,
            user=world.koordinator,
            enrolment=e,
            target=evidence.Target(EvidencePurpose.ITEM, code),
            url=f"https://polres.example.go.id/{code}",
            title=code,
        )
    done = reviews.approve_pending(world.session, actor=penilai, enrolment=e, item_codes=codes)
    assert done.skipped_without_evidence == []
    approved = done.approved
    assert "A.I.1.i.a" not in approved and len(approved) == len(codes) - 1
    with pytest.raises(ValidationError, match="belum dapat ditandatangani"):
        reviews.sign_off_area(world.session, actor=penilai, enrolment=e, area="1", item_codes=codes)
    world.session.commit()
    before = {key: d.seq for key, d in reviews.latest_decisions(world.session, e.id).items()}
    with pytest.raises(NotAllowedError):
        reviews.approve_pending(
            world.session, actor=world.actor(world.koordinator), enrolment=e, item_codes=codes
        )
    world.session.rollback()
    after = {key: d.seq for key, d in reviews.latest_decisions(world.session, e.id).items()}
    assert after == before


def test_only_the_leadership_and_admins_declare(world: World) -> None:
    from tracker.accreditation.context import actor_for

    # Issue 15 §5: the unit's coordinator no longer declares; the agency's leadership does.
    for user in (world.koordinator, world.tpi, world.penilai, world.pokja):
        with pytest.raises(NotAllowedError, match="dicatat oleh pimpinan instansi"):
            enrol(
                world.session,
                actor=actor_for(user, world.polres),
                cycle=world.cycle,
                unit=world.polres,
                target=Predicate.WBK,
                declared_on=TODAY,
            )
    world.session.rollback()
    assert world.session.scalars(select(Enrolment)).all() == []
    enrolment = enrol(
        world.session,
        actor=actor_for(world.pimpinan, world.polres),
        cycle=world.cycle,
        unit=world.polres,
        target=Predicate.WBK,
        declared_on=TODAY,
    )
    assert enrolment.stage is Stage.DECLARED


def test_the_cycle_chooses_how_the_area_floor_is_read(world: World) -> None:
    """D5: an area at 100 % pemenuhan and 30 % reform passes 'combined' (65 %) and fails
    'each_half' (reform below 60 %)."""
    framework = assessments.framework_for(world.enrol())
    answers = perfect_answers(framework)
    reform_1 = [i.code for i in framework.items() if i.code.startswith("A.II.1.")]
    for code in reform_1:
        item = framework.item(code)
        if item.options:
            answers[code] = item.choice_keys[-1]
    result = assessments.evaluate_tier(
        framework, assessments.parse_answers(framework, answers), tier="unit", has_active_wbk=False
    )
    strict = assessments.evaluate_tier(
        framework,
        assessments.parse_answers(framework, answers),
        tier="unit",
        has_active_wbk=False,
        area_floor_mode="each_half",
    )
    area_1 = result.report.areas["1"]
    assert area_1.halves["reform"].ratio < Decimal("0.6") <= area_1.total.ratio
    assert all(r.passed for r in result.verdicts["WBK"].rules if r.metric == "area_ratio:1")
    assert not all(r.passed for r in strict.verdicts["WBK"].rules if r.metric == "area_ratio:1")

    other = cycles.create_cycle(
        world.session,
        user=world.admin,
        year=YEAR + 1,
        name="",
        framework=world.cycle.framework,
        calendar=cycles.Calendar.default(YEAR + 1),
        area_floor_mode="each_half",
    )
    assert (world.cycle.area_floor_mode, other.area_floor_mode) == ("combined", "each_half")
    with pytest.raises(ValidationError):
        cycles.create_cycle(
            world.session,
            user=world.admin,
            year=YEAR + 2,
            name="",
            framework=world.cycle.framework,
            calendar=cycles.Calendar.default(YEAR + 2),
            area_floor_mode="lain",
        )
