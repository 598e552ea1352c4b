from tests.world import TODAY
from tracker.accreditation import assessments, reviews
from tracker.accreditation.models import DecisionKind
from tracker.accreditation.workflow import Action, Stage


def test_smoke(world):
    e = world.enrol()
    assert e.needs_preliminary
    world.act(world.koordinator, e, Action.START_BUILDING)
    world.fill(e)
    unit = assessments.get_assessment(world.session, e.id, "unit")
    assert unit.score_total is not None
    print(unit.score_total, unit.answered, unit.item_count)
    world.act(world.koordinator, e, Action.SUBMIT_PRELIMINARY)
    assert e.stage is Stage.PRELIMINARY
    framework = assessments.framework_for(e)
    actor = world.actor(world.penilai)
    for item in framework.items():
        reviews.decide(
            world.session,
            actor=actor,
            enrolment=e,
            item_code=item.code,
            kind=DecisionKind.APPROVED,
            comment="",
            expected_seq=0,
        )
    from tracker.accreditation.transitions import area_keys

    for area in area_keys(e):
        codes = [
            i.code
            for i in framework.items()
            if (i.code.split(".")[2] if i.code.startswith("A") else "B") == area
        ]
        reviews.sign_off_area(world.session, actor=actor, enrolment=e, area=area, item_codes=codes)
    world.session.commit()
    world.act(world.penilai, e, Action.PRELIMINARY_PASS, on=TODAY)
    assert e.stage is Stage.TPI_EVALUATION
    assert assessments.get_assessment(world.session, e.id, "tpi").answered == unit.answered
