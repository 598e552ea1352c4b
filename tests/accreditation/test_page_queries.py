"""Issue 14 §7: the LKE area page and one review decision run a bounded number of SQL statements,
and the number does not grow with the answers, files and decisions an enrolment holds (no
query per item, per file or per decision)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask.testing import FlaskClient
from sqlalchemy import event

from tests.helpers import csrf_token, login_as
from tests.world import World
from tracker.accreditation import assessments, reviews
from tracker.accreditation.models import DecisionKind, Enrolment
from tracker.evidence import services as evidence
from tracker.evidence.models import EvidencePurpose
from tracker.sessions import READ_ONLY_PROBE

# What the pages run today (issue 14 §7: 24-25 for an area page, 9 for a decision), with a
# small margin: a new query per request is a choice to make knowingly, and a query per item,
# file or decision would pass these by far.
AREA_PAGE_MAX = 28
DECISION_MAX = 12


@contextmanager
def counted(world: World) -> Iterator[list[str]]:
    """The SQL statements run on the test's connection meanwhile (savepoints left out)."""
    found: list[str] = []
    connection = world.session.connection()

    def count(_conn, _cursor, statement, _params, _context, _many) -> None:
        savepoint = statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO"))
        # The probe ends every request on PostgreSQL (tracker.sessions): not the page's query.
        if not savepoint and statement != READ_ONLY_PROBE:
            found.append(statement)

    event.listen(connection, "before_cursor_execute", count)
    try:
        yield found
    finally:
        event.remove(connection, "before_cursor_execute", count)


def page_statements(client: FlaskClient, world: World, url: str) -> int:
    return len(page_sql(client, world, url))


def page_sql(client: FlaskClient, world: World, url: str) -> list[str]:
    client.get(url)  # warm: the first request loads what every later one finds cached
    with counted(world) as found:
        response = client.get(url)
    assert response.status_code == 200, url
    return found


def one_link(world: World, enrolment: Enrolment) -> None:
    """The least evidence there is: one link on one item. Loading files costs a few statements
    of its own (their versions, their uploaders), once, whatever their number: the baseline
    the fuller enrolment is compared with has that one file."""
    evidence.add_link(
        world.session,
        user=world.koordinator,
        enrolment=enrolment,
        target=evidence.Target(EvidencePurpose.ITEM, item_code="A.I.1.i.a"),
        url="https://example.go.id/satu",
        title="satu",
    )
    world.session.commit()


def with_evidence_on_every_item(world: World, enrolment: Enrolment, per_item: int = 2) -> None:
    """A link on every expected document of every item (or on the item itself), twice."""
    for item in assessments.framework_for(enrolment).items():
        keys = [d.key for d in item.documents] or [None]
        for n in range(per_item):
            for key in keys:
                evidence.add_link(
                    world.session,
                    user=world.koordinator,
                    enrolment=enrolment,
                    target=evidence.Target(
                        EvidencePurpose.ITEM, item_code=item.code, document_key=key
                    ),
                    url=f"https://example.go.id/{item.code}/{key}/{n}",
                    title=f"{item.code} {key} {n}",
                )
    world.session.commit()


def with_decisions_on_every_item(world: World, enrolment: Enrolment) -> None:
    """The preliminary assessor sends every item back, then approves it: two decisions each."""
    actor = world.actor(world.penilai, enrolment.unit)
    latest = reviews.latest_decisions(world.session, enrolment.id, "preliminary")
    for item in assessments.framework_for(enrolment).items():
        seq = latest[("preliminary", item.code)].seq if ("preliminary", item.code) in latest else 0
        world.decide(actor, enrolment, item.code, DecisionKind.REVISION, seq=seq, comment="cek")
        world.decide(actor, enrolment, item.code, DecisionKind.APPROVED, seq=seq + 1)
    world.session.commit()


def test_the_area_page_runs_as_many_statements_empty_or_full(
    client: FlaskClient, world: World
) -> None:
    enrolment = world.building()
    one_link(world, enrolment)
    login_as(client, world.koordinator)
    url = f"/enrolments/{enrolment.id}/lke?area=3"
    on_empty = page_statements(client, world, url)

    world.fill(enrolment)
    with_evidence_on_every_item(world, enrolment)
    on_full = page_statements(client, world, url)

    assert on_empty <= AREA_PAGE_MAX and on_full <= AREA_PAGE_MAX
    # 113 answers and several hundred links add no statement.
    assert on_full == on_empty, (on_empty, on_full)


def test_the_reviewers_page_does_not_grow_with_decisions_and_files(
    client: FlaskClient, world: World
) -> None:
    enrolment = world.submitted()
    one_link(world, enrolment)
    login_as(client, world.penilai)
    url = f"/enrolments/{enrolment.id}/lke?area=1"
    before = page_statements(client, world, url)

    with_evidence_on_every_item(world, enrolment)
    with_decisions_on_every_item(world, enrolment)
    after = page_statements(client, world, url)

    assert before <= AREA_PAGE_MAX and after <= AREA_PAGE_MAX
    assert after == before, (before, after)


def decision_statements(client: FlaskClient, world: World, enrolment: Enrolment, code: str) -> int:
    seq = reviews.latest_decisions(world.session, enrolment.id).get(("preliminary", code))
    data = {
        "kind": "approved",
        "comment": "",
        "seq": seq.seq if seq else 0,
        "csrf_token": csrf_token(client, f"/enrolments/{enrolment.id}/lke?area=1"),
    }
    with counted(world) as found:
        response = client.post(f"/enrolments/{enrolment.id}/items/{code}/decision", data=data)
    assert response.status_code in (200, 303), response.get_data(as_text=True)[:300]
    return len(found)


def test_one_decision_runs_as_many_statements_however_many_came_before(
    client: FlaskClient, world: World
) -> None:
    enrolment = world.submitted()
    login_as(client, world.penilai)
    first = decision_statements(client, world, enrolment, "A.I.1.i.a")

    with_evidence_on_every_item(world, enrolment)
    with_decisions_on_every_item(world, enrolment)
    later = decision_statements(client, world, enrolment, "A.I.1.i.b")

    assert first <= DECISION_MAX and later <= DECISION_MAX
    assert later == first, (first, later)


def test_the_item_fragment_stays_within_the_area_page_bound(
    client: FlaskClient, world: World
) -> None:
    """The JSON the page's scripts swap in after a save (the item, tabs, summary, plan, chart,
    blockers) reads what the area page reads, no more, empty or full."""
    enrolment = world.building()
    one_link(world, enrolment)
    login_as(client, world.koordinator)
    url = f"/enrolments/{enrolment.id}/lke/unit/items/A.I.3.i.a"
    on_empty = page_statements(client, world, url)

    world.fill(enrolment)
    with_evidence_on_every_item(world, enrolment)
    on_full = page_statements(client, world, url)

    assert on_empty <= AREA_PAGE_MAX and on_full <= AREA_PAGE_MAX
    assert on_full == on_empty, (on_empty, on_full)
