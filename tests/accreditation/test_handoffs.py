"""What every hand-off checks on the answers it passes on (issue 11, points 2, 3 and 7).

Revised D4: an answer in error (a zero denominator where something must have been required)
counts as unanswered and blocks every hand-off, naming the item. D13: a reviewing tier never
blanks an answer the unit gave, and completeness is checked at every hand-off on the tier that
hand-off passes on. D16: answered items without evidence are handed on only knowingly, and
"approve all" never approves them.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event, select

from tests.accreditation.test_services import approve_all, record_prerequisites
from tests.helpers import login_as, post_form
from tests.html import get_page
from tests.lke_answers import perfect_answers
from tests.world import YEAR, World
from tracker.accreditation import (
    assessments,
    editing,
    guards,
    reviews,
    tiers,
    transitions,
    workflow,
)
from tracker.accreditation.guards import EvidenceGap
from tracker.accreditation.models import Answer, DecisionKind, Enrolment, StageTransition
from tracker.accreditation.tiers import TierCode
from tracker.accreditation.workflow import Action, Stage
from tracker.audit.models import AuditEvent
from tracker.auth.roles import Role
from tracker.errors import InvalidTransitionError, ValidationError
from tracker.evidence import services as evidence
from tracker.evidence.models import EvidencePurpose
from tracker.lke.scoring import Flag

TPI_DAY, PROPOSAL_DAY = date(YEAR, 5, 1), date(YEAR, 5, 20)
ERROR_MESSAGE = "Ada 1 butir LKE dengan isian salah yang harus diperbaiki dulu: "


# The rules alone -----------------------------------------------------------------------------

SEND_BACKS = (Action.PRELIMINARY_RETURN, Action.TPI_NOT_YET, Action.COACH, Action.DESK_STOP)


def test_every_hand_off_and_only_hand_offs_check_what_they_pass_on() -> None:
    checks = {guards.all_answered, guards.no_input_errors, guards.evidence_confirmed}
    for action in Action:
        has = checks & set(workflow.GUARDS.get(action, ()))
        assert has == (checks if action in workflow.HAND_OFFS else set()), action
    assert not set(SEND_BACKS) & workflow.HAND_OFFS
    # Each hand-off names the tier whose answers it passes on.
    assert set(transitions.HANDED_ON) == workflow.HAND_OFFS
    assert transitions.HANDED_ON == {
        Action.SUBMIT_PRELIMINARY: TierCode.UNIT,
        Action.SUBMIT_TPI: TierCode.UNIT,
        Action.PRELIMINARY_PASS: TierCode.PRELIMINARY,
        Action.TPI_MEETS: TierCode.TPI,
        Action.PROPOSE: TierCode.TPI,
        Action.DESIGNATE: TierCode.TPN,
    }


def test_the_guards_word_errors_and_the_evidence_gap() -> None:
    today = date(YEAR, 3, 1)
    errors = guards.Context(today, items_in_error=("A.II.4.i.a", "A.II.6.i.b"))
    assert guards.no_input_errors(errors) == (
        "Ada 2 butir LKE dengan isian salah yang harus diperbaiki dulu: A.II.4.i.a, A.II.6.i.b"
    )
    assert guards.no_input_errors(guards.Context(today, items_in_error=())) is None
    gap = EvidenceGap(("A.I.1.i.a", "A.I.2.i.a"), (("A.I.1.i.b", "k1"), ("A.I.1.i.b", "k2")))
    refused = guards.Context(today, evidence_gap=gap, evidence_confirmed=False)
    assert guards.evidence_confirmed(refused) == (
        "Penyerahan ini memuat 2 butir terjawab tanpa bukti dukung (A.I.1.i.a, A.I.2.i.a); "
        "2 dokumen wajib belum ada (butir A.I.1.i.b). Centang “Saya mengerti” pada formulir "
        "untuk tetap menyerahkan."
    )
    confirmed = guards.Context(today, evidence_gap=gap, evidence_confirmed=True)
    assert guards.evidence_confirmed(confirmed) is None
    nothing = guards.Context(today, evidence_gap=EvidenceGap(), evidence_confirmed=False)
    assert guards.evidence_confirmed(nothing) is None


def test_only_the_units_own_tier_may_blank_what_the_unit_answered() -> None:
    unit, tpi, tpn = (tiers.by_code(tiers.DEFAULT_TIERS, c) for c in ("unit", "tpi", "tpn"))
    assert editing.blank_blocker(unit, "A.I.1.i.a", unit_answered=True) is None
    assert editing.blank_blocker(tpi, "A.I.1.i.a", unit_answered=False) is None
    for reviewer in (tpi, tpn):
        reason = editing.blank_blocker(reviewer, "A.I.1.i.a", unit_answered=True)
        assert reason is not None and reason.startswith(
            f"Butir A.I.1.i.a sudah dijawab unit, sehingga jawaban {reviewer.label} tidak dapat "
            "dikosongkan"
        )


# Getting an enrolment to each hand-off ----------------------------------------------------------


def direct_unit(world: World, factory) -> tuple[Enrolment, object]:
    """The Polda: no preliminary assessor above it, so its coordinator submits to TPI."""
    coordinator = factory.user((Role.KOORDINATOR, world.polda))
    return world.building(world.polda), coordinator


def at_tpi(world: World, factory) -> Enrolment:
    e, coordinator = direct_unit(world, factory)
    world.fill(e, user=coordinator)
    world.act(coordinator, e, Action.SUBMIT_TPI)
    approve_all(world, e, world.tpi)
    return e


def at_field_evaluation(world: World, factory) -> Enrolment:
    e = at_tpi(world, factory)
    world.act(world.tpi, e, Action.TPI_MEETS, on=TPI_DAY)
    record_prerequisites(world, e)
    world.act(world.pimpinan, e, Action.PROPOSE, on=PROPOSAL_DAY)
    world.act(world.tpn, e, Action.ADMIN_PASS)
    world.act(world.tpn, e, Action.DESK_CONTINUE)
    assert e.stage is Stage.FIELD_EVALUATION
    return e


def stored(world: World, e: Enrolment, tier: str, code: str) -> Answer:
    assessment = assessments.get_assessment(world.session, e.id, tier)
    return assessments.answer_rows(world.session, [assessment.id])[assessment.id][code]


def set_behind_the_engines_back(world: World, e: Enrolment, tier: str, code: str, value) -> None:
    """Change a stored answer without recomputing the tier's cached figures: an answer saved
    before D4 was revised (0/0 then counted as 100 %) or before D13 (a reviewer could blank one),
    whose cache says it is fine. ``value`` None removes the answer."""
    row = stored(world, e, tier, code)
    if value is None:
        world.session.delete(row)
    else:
        row.value = value
    world.session.commit()
    cached = assessments.get_assessment(world.session, e.id, tier)
    assert (cached.answered, cached.item_count) == (113, 113)  # the stale cache


def refused(world: World, user, e: Enrolment, action: Action, match: str, **kw) -> None:
    """The action is refused with ``match`` among its reasons, and nothing changed."""
    before = (e.stage, e.version, world.session.scalars(select(StageTransition.id)).all())
    with pytest.raises(InvalidTransitionError, match=match):
        world.act(user, e, action, **kw)
    world.session.rollback()
    world.session.expire_all()
    after = (e.stage, e.version, world.session.scalars(select(StageTransition.id)).all())
    assert after == before


# A. Revised D4 at every hand-off ---------------------------------------------------------------


def test_a_unit_answer_in_error_blocks_submission_naming_the_item(world: World, factory) -> None:
    e, coordinator = direct_unit(world, factory)
    answers = perfect_answers(assessments.framework_for(e))
    world.fill(e, answers=answers, user=coordinator)
    # Saving an answer in error is allowed: the unit sees it on the item and corrects it.
    world.answer(world.actor(coordinator, world.polda), e, "A.II.4.i.a", [0, 0], version=1)
    world.session.commit()
    result = assessments.result_of(world.session, e, TierCode.UNIT)
    assert [r.code for r in result.report.errors()] == ["A.II.4.i.a"]
    with pytest.raises(InvalidTransitionError) as caught:
        world.act(coordinator, e, Action.SUBMIT_TPI)
    # Reported once, as what it is: an error to correct, not a blank to fill in.
    assert caught.value.details["reasons"] == [ERROR_MESSAGE + "A.II.4.i.a"]
    world.session.rollback()
    assert e.stage is Stage.BUILDING
    world.answer(world.actor(coordinator, world.polda), e, "A.II.4.i.a", [3, 2], version=2)
    world.session.commit()
    world.act(coordinator, e, Action.SUBMIT_TPI)
    assert e.stage is Stage.TPI_EVALUATION


def test_a_stale_cache_cannot_let_an_answer_in_error_through(world: World) -> None:
    e = world.building()
    world.fill(e)
    # Stored when 0/0 still scored 100 %: the cached count says 113 of 113.
    set_behind_the_engines_back(world, e, TierCode.UNIT, "A.II.4.i.a", [0, 0])
    refused(world, world.koordinator, e, Action.SUBMIT_PRELIMINARY, ERROR_MESSAGE + "A.II.4.i.a")


def test_a_tpi_answer_in_error_blocks_the_verdict_and_the_proposal(world: World, factory) -> None:
    e = at_tpi(world, factory)
    tpi = world.actor(world.tpi, world.polda)
    version = stored(world, e, TierCode.TPI, "A.II.6.i.b").version
    world.answer(tpi, e, "A.II.6.i.b", [0, 0], version=version, tier=TierCode.TPI)
    world.session.commit()
    refused(world, world.tpi, e, Action.TPI_MEETS, ERROR_MESSAGE + "A.II.6.i.b", on=TPI_DAY)
    world.answer(tpi, e, "A.II.6.i.b", [4, 4], version=version + 1, tier=TierCode.TPI)
    world.session.commit()
    world.act(world.tpi, e, Action.TPI_MEETS, on=TPI_DAY)
    record_prerequisites(world, e)
    # TPI's answers are frozen once it has recommended; one stored before revised D4 still
    # holds the proposal back.
    set_behind_the_engines_back(world, e, TierCode.TPI, "A.II.6.i.b", [0, 0])
    refused(world, world.pimpinan, e, Action.PROPOSE, "A.II.6.i.b", on=PROPOSAL_DAY)


def test_a_tpn_answer_in_error_blocks_the_designation(world: World, factory) -> None:
    e = at_field_evaluation(world, factory)
    tpn = world.actor(world.tpn, world.polda)
    version = stored(world, e, TierCode.TPN, "A.II.6.i.b").version
    world.answer(tpn, e, "A.II.6.i.b", [0, 0], version=version, tier=TierCode.TPN)
    world.session.commit()
    ctx = transitions.context(world.session, e, Action.DESIGNATE, transitions.Details(), TPI_DAY)
    assert ERROR_MESSAGE + "A.II.6.i.b" in workflow.blockers(Action.DESIGNATE, ctx)
    refused(
        world,
        world.tpn,
        e,
        Action.DESIGNATE,
        ERROR_MESSAGE + "A.II.6.i.b",
        decree_number="1/2026",
        decree_date=date(YEAR, 12, 10),
    )


def test_nothing_required_is_no_error_and_blocks_nothing(world: World, factory) -> None:
    """A.II.5.ii.a: no complaints at all (0 received, 0 to follow up, 0 completed) scores 1.0,
    flagged for the reviewer to check, and passes every hand-off."""
    e, coordinator = direct_unit(world, factory)
    answers = perfect_answers(assessments.framework_for(e)) | {"A.II.5.ii.a": [0, 0, 0]}
    world.fill(e, answers=answers, user=coordinator)
    report = assessments.report_of(world.session, e, TierCode.UNIT)
    assert report.errors() == []
    assert report.items["A.II.5.ii.a"].flags == (Flag.ZERO_DENOMINATOR_NOTHING_REQUIRED,)
    world.act(coordinator, e, Action.SUBMIT_TPI)
    approve_all(world, e, world.tpi)
    for action in (Action.TPI_MEETS, Action.PROPOSE):
        ctx = transitions.context(world.session, e, action, transitions.Details(), TPI_DAY)
        assert not ctx.unanswered_items and ctx.items_in_error == ()
    world.act(world.tpi, e, Action.TPI_MEETS, on=TPI_DAY)
    assert e.stage is Stage.TPI_RECOMMENDED


# B. D13: reviewers never blank the unit's answers; completeness at every hand-off -------------


def test_a_reviewing_tier_changes_but_never_blanks_a_unit_answer(world: World, factory) -> None:
    e = at_tpi(world, factory)
    tpi = world.actor(world.tpi, world.polda)
    row = stored(world, e, TierCode.TPI, "A.I.1.i.a")
    with pytest.raises(ValidationError, match="sudah dijawab unit") as caught:
        world.answer(tpi, e, "A.I.1.i.a", "", version=row.version, tier=TierCode.TPI)
    assert "tidak dapat dikosongkan" in caught.value.message
    world.session.rollback()
    assert stored(world, e, TierCode.TPI, "A.I.1.i.a").value == "Ya"
    # Changing it is the reviewer's right.
    world.answer(tpi, e, "A.I.1.i.a", "Tidak", version=row.version, tier=TierCode.TPI)
    world.session.commit()
    assert stored(world, e, TierCode.TPI, "A.I.1.i.a").value == "Tidak"
    # A worksheet's blank cell leaves the answer as it is: an import never clears one.
    changed = assessments.import_answers(
        world.session,
        actor=tpi,
        enrolment=e,
        tier=TierCode.TPI,
        raw_answers={"A.I.1.i.a": "", "A.I.1.i.b": None},
        source="test",
    )
    world.session.commit()
    assert changed == []
    assert stored(world, e, TierCode.TPI, "A.I.1.i.a").value == "Tidak"


def test_the_unit_may_still_clear_its_own_answer(world: World) -> None:
    e = world.building()
    koordinator = world.actor(world.koordinator)
    world.answer(koordinator, e, "A.I.1.i.a", "Ya", version=0)
    assert world.answer(koordinator, e, "A.I.1.i.a", "", version=1).value is None


@pytest.mark.parametrize(
    "action",
    [
        Action.SUBMIT_PRELIMINARY,
        Action.SUBMIT_TPI,
        Action.PRELIMINARY_PASS,
        Action.TPI_MEETS,
        Action.PROPOSE,
        Action.DESIGNATE,
    ],
)
def test_each_hand_off_refuses_an_unanswered_item_on_its_tier(
    world: World, factory, action: Action
) -> None:
    """The item was answered and then lost on the tier the hand-off passes on (a blank from
    before D13); the cache still counts it. Every hand-off refuses, and nothing changes."""
    user, kw = _to_hand_off(world, factory, action)
    e = world.session.scalars(select(Enrolment)).one()
    set_behind_the_engines_back(world, e, transitions.HANDED_ON[action], "A.I.2.i.a", None)
    refused(world, user, e, action, "Masih ada 1 butir LKE yang belum dijawab.", **kw)


def _to_hand_off(world: World, factory, action: Action):
    """An enrolment at the stage of ``action`` with everything else in order: who acts, how."""
    if action is Action.SUBMIT_PRELIMINARY:
        e = world.building()
        world.fill(e)
        return world.koordinator, {}
    if action is Action.SUBMIT_TPI:
        e, coordinator = direct_unit(world, factory)
        world.fill(e, user=coordinator)
        return coordinator, {}
    if action is Action.PRELIMINARY_PASS:
        e = world.submitted()
        approve_all(world, e, world.penilai)
        return world.penilai, {}
    if action is Action.TPI_MEETS:
        at_tpi(world, factory)
        return world.tpi, {"on": TPI_DAY}
    if action is Action.PROPOSE:
        e = at_tpi(world, factory)
        world.act(world.tpi, e, Action.TPI_MEETS, on=TPI_DAY)
        record_prerequisites(world, e)
        return world.pimpinan, {"on": PROPOSAL_DAY}
    at_field_evaluation(world, factory)
    return world.tpn, {"decree_number": "1/2026", "decree_date": date(YEAR, 12, 10)}


# C. D16: evidence at hand-off --------------------------------------------------------------------


def link(world: World, e: Enrolment, code: str, *, required: bool = True) -> None:
    item = assessments.framework_for(e).item(code)
    doc = next(d for d in item.documents if d.required is required)
    evidence.add_link(
        world.session,
        user=world.koordinator,
        enrolment=e,
        target=evidence.Target(EvidencePurpose.ITEM, code, doc.key),
        url=f"https://polres.example.go.id/{code}/{doc.key}",
        title=doc.title,
    )


def test_a_hand_off_without_evidence_is_confirmed_and_recorded(world: World) -> None:
    e = world.building()
    world.fill(e)
    link(world, e, "A.I.1.i.a")  # its required document
    link(world, e, "A.I.1.i.b", required=False)  # evidence, but not the required document
    world.session.commit()
    refused(
        world,
        world.koordinator,
        e,
        Action.SUBMIT_PRELIMINARY,
        r"111 butir terjawab tanpa bukti dukung \(A\.I\.1\.ii\.a, .*\); "
        r"1 dokumen wajib belum ada \(butir A\.I\.1\.i\.b\)\. Centang “Saya mengerti”",
        evidence_confirmed=False,
    )
    world.act(world.koordinator, e, Action.SUBMIT_PRELIMINARY, evidence_confirmed=True)
    assert e.stage is Stage.PRELIMINARY
    record = world.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.tag == "accreditation:stage:advance")
        .order_by(AuditEvent.seq.desc())
    ).first()
    assert record.data["action"] == "submit_preliminary"
    assert record.data["without_evidence"] == 111
    assert record.data["missing_documents"] == 1
    assert record.data["evidence_confirmed"] is True


def test_a_hand_off_with_every_item_evidenced_needs_no_confirmation(world: World) -> None:
    e = world.building()
    world.fill(e)
    for item in assessments.framework_for(e).items():
        link(world, e, item.code)
    world.session.commit()
    ctx = transitions.context(
        world.session, e, Action.SUBMIT_PRELIMINARY, transitions.Details(), date(YEAR, 3, 1)
    )
    assert ctx.evidence_gap == EvidenceGap()
    world.act(world.koordinator, e, Action.SUBMIT_PRELIMINARY, evidence_confirmed=False)
    assert e.stage is Stage.PRELIMINARY


def test_approve_all_skips_items_without_evidence_and_says_so(world: World) -> None:
    e = world.building()
    world.fill(e)
    area_1 = [i.code for i in assessments.framework_for(e).items() if tiers.area_of(i.code) == "1"]
    for code in area_1[:3]:
        link(world, e, code, required=False)  # any file or link counts as evidence
    world.session.commit()
    world.act(world.koordinator, e, Action.SUBMIT_PRELIMINARY)
    penilai = world.actor(world.penilai)
    done = reviews.approve_pending(world.session, actor=penilai, enrolment=e, item_codes=area_1)
    world.session.commit()
    assert done.approved == area_1[:3]
    assert done.skipped_without_evidence == area_1[3:]
    decided = reviews.latest_decisions(world.session, e.id, TierCode.PRELIMINARY)
    assert sorted(code for (_tier, code) in decided) == sorted(area_1[:3])
    # Approving one of them is a decision on that item alone.
    world.decide(penilai, e, area_1[3], DecisionKind.APPROVED, seq=0)
    world.session.commit()


def test_approve_all_through_the_page_flashes_the_skipped(client, world: World) -> None:
    e = world.submitted()
    link(world, e, "A.I.1.i.a", required=False)
    world.session.commit()
    login_as(client, world.penilai)
    page = f"/enrolments/{e.id}/lke?area=1"
    response = post_form(client, f"/enrolments/{e.id}/areas/1/approve-pending", page=page)
    assert response.status_code == 303 and "no_evidence=1" in response.headers["Location"]
    shown = get_page(client, response.headers["Location"])
    assert shown.flashes("success") == ["1 butir di area 1 disetujui."]
    (warning,) = shown.flashes("warning")
    assert warning.startswith("15 butir tanpa bukti dilewati: A.I.1.i.b, ")
    assert warning.endswith("Periksa dan putuskan satu per satu.")
    # The filter is on: the 15 items without evidence, each flagged.
    items = shown.select("article.item")
    assert len(items) == 15
    assert all("tanpa bukti" in item.texts(".item-badges .badge") for item in items)


def test_the_lke_page_flags_and_filters_items_without_evidence(client, world: World) -> None:
    e = world.submitted()
    area_1 = [i.code for i in assessments.framework_for(e).items() if tiers.area_of(i.code) == "1"]
    link(world, e, "A.I.1.i.a")
    link(world, e, "A.I.1.i.b", required=False)
    world.session.commit()
    login_as(client, world.penilai)
    page = get_page(client, f"/enrolments/{e.id}/lke?area=1")
    badges = {i.attr("id"): i.texts(".item-badges .badge") for i in page.select("article.item")}
    assert badges["item-A.I.1.i.a"] == ["100,00 %"]
    assert badges["item-A.I.1.i.b"] == ["100,00 %", "1 dokumen wajib kurang"]
    assert badges["item-A.I.1.ii.a"] == ["100,00 %", "tanpa bukti"]
    tab = page.one("nav.area-tabs a[aria-current=page]")
    assert "14 tanpa bukti" in tab.texts(".badge")
    filtered = get_page(client, f"/enrolments/{e.id}/lke?area=1&no_evidence=1")
    assert [i.attr("id") for i in filtered.select("article.item")] == [
        f"item-{code}" for code in area_1[2:]
    ]
    assert filtered.text_of(".todo-toggle .chip-active") == "Hanya butir tanpa bukti ✕"


def test_the_lke_page_words_an_answer_in_error(client, world: World) -> None:
    e = world.building()
    answers = perfect_answers(assessments.framework_for(e))
    world.fill(e, answers=answers | {"A.II.4.i.a": [0, 0], "A.II.5.ii.a": [0, 0, 0]})
    login_as(client, world.koordinator)
    page = get_page(client, f"/enrolments/{e.id}/lke?area=4")
    error = page.one('[id="item-A.II.4.i.a"]')
    assert error.texts(".item-badges .badge")[0] == "isian salah"
    assert error.text_of(".item-error").startswith(
        "Butir A.II.4.i.a: penyebut nol sehingga persentase tidak dapat dihitung"
    )
    assert "D4" not in error.text  # no decision numbers on screen
    assert "1 isian salah" in page.one("nav.area-tabs a[aria-current=page]").texts(".badge")
    assert ERROR_MESSAGE + "A.II.4.i.a" in page.texts(".blockers li")
    complaints = get_page(client, f"/enrolments/{e.id}/lke?area=5").one('[id="item-A.II.5.ii.a"]')
    assert complaints.texts(".item-badges .badge")[:2] == ["100,00 %", "perlu dicek: penyebut nol"]
    assert complaints.select(".item-error") == []


def test_the_hand_off_form_asks_to_confirm_and_refuses_without(
    client, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    e = world.building()  # the world's clock is inside the self-assessment window
    world.fill(e)
    link(world, e, "A.I.1.i.b", required=False)
    world.session.commit()
    login_as(client, world.koordinator)
    url = f"/enrolments/{e.id}"
    page = get_page(client, url)
    (form,) = page.select("form.action-form")
    assert form.one("input[name=action]").attr("value") == "submit_preliminary"
    assert form.texts(".evidence-gap summary") == [
        "112 butir terjawab tanpa bukti dukung",
        "1 dokumen wajib belum ada",
    ]
    assert form.texts(".gap-documents li") == ["A.I.1.i.b — Dokumen mekanisme seleksi anggota tim"]
    box = form.one("input[name=confirm_evidence]")
    assert box.attr("required") is not None
    assert form.text_of(".evidence-gap label.check").startswith("Saya mengerti bahwa butir")
    data = {"action": "submit_preliminary", "version": e.version}
    back = {"Referer": f"http://localhost{url}"}
    response = post_form(client, f"{url}/advance", data, page=url, headers=back)
    assert response.status_code == 303
    (error,) = get_page(client, url).flashes("error")
    assert error.startswith("Penyerahan ini memuat 112 butir terjawab tanpa bukti dukung")
    world.session.expire_all()
    assert world.session.get(Enrolment, e.id).stage is Stage.BUILDING
    response = post_form(client, f"{url}/advance", data | {"confirm_evidence": "y"}, page=url)
    assert response.status_code == 303
    world.session.expire_all()
    assert world.session.get(Enrolment, e.id).stage is Stage.PRELIMINARY


def test_the_lke_page_reads_evidence_in_a_bounded_number_of_queries(client, world: World) -> None:
    """The flags, the filter and the hand-off's list read evidence for all items at once: the
    LKE and enrolment pages make as many queries with 40 items evidenced as with one."""
    e = world.submitted()
    codes = [i.code for i in assessments.framework_for(e).items()]
    login_as(client, world.penilai)
    engine = world.session.get_bind()

    def queries() -> tuple[int, int]:
        statements: list[str] = []

        def listener(*args) -> None:
            statements.append(args[2])

        event.listen(engine, "before_cursor_execute", listener)
        try:
            get_page(client, f"/enrolments/{e.id}/lke?area=1")
            get_page(client, f"/enrolments/{e.id}")
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements), sum("evidence_files" in s for s in statements)

    def settled() -> tuple[int, int]:
        queries()  # the first request after a commit reloads the user and their grants
        return queries()

    link(world, e, codes[0])
    world.session.commit()
    few = settled()
    for code in codes[1:40]:
        link(world, e, code)
    world.session.commit()
    assert settled() == few
    # per page: the files shown, their earlier versions (issue 14 §2), the hand-off's gap
    assert few[1] <= 5
