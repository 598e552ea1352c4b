"""The complaints and monitoring pages through the app (issue 17 §2, §3): the public form and
what refuses a script (honeypot, form sent too fast, forged time, the rate limit); the
verification page showing counts only; the register's scope; monitoring to revocation."""

from __future__ import annotations

import io
import re
import time

from sqlalchemy import func, select

from tests.core.test_plain_words import offences, visible_text
from tests.evidence.evidence_samples import pdf_bytes
from tests.helpers import csrf_token, login_as, post_form
from tests.html import get_page
from tests.world import World
from tracker.accreditation.models import DesignationOrigin
from tracker.certificates import services as certificates
from tracker.complaints import formstamp, rules
from tracker.complaints.models import Complaint, VerificationTask
from tracker.complaints.rules import Status, VerificationOutcome

TEXT = "Antrean SIM sangat panjang dan petugas tidak ada di loket."
CONTACT = "warga@example.com"


def stamp(unit_id: int, age: float = 10) -> str:
    return formstamp.stamp("test-secret-key", unit_id, time.time() - age)


def send(client, unit_id: int, **fields) -> object:
    page = f"/complain/{unit_id}"
    data = {
        "category": "service_quality",
        "description": TEXT,
        "contact": CONTACT,
        "website": "",
        "shown": stamp(unit_id),
    } | fields
    return post_form(client, page, data, page=page)


def count(session) -> int:
    return session.scalar(select(func.count()).select_from(Complaint))


def test_the_public_sends_a_complaint_and_scripts_are_refused(
    client, world: World, designated
) -> None:
    page = client.get(f"/complain/{world.polres.id}")
    assert page.status_code == 200 and 'name="website"' in page.get_data(as_text=True)
    assert client.get(f"/complain/{world.sibling.id}").status_code == 404  # not designated
    sent = send(client, world.polres.id)
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/sent")
    assert count(world.session) == 1
    # What a script does is refused, and nothing more is saved.
    unit = world.polres.id
    honeypot = send(client, unit, website="http://spam.example")
    assert honeypot.status_code == 422
    assert "Pengaduan tidak dapat diterima." in honeypot.get_data(as_text=True)
    too_fast = send(client, unit, shown=stamp(unit, age=0))
    assert too_fast.status_code == 422
    assert "terlalu cepat" in too_fast.get_data(as_text=True)
    forged = send(client, unit, shown=stamp(unit, age=10)[:-3] + "abc")
    assert forged.status_code == 422 and "Formulir tidak sah" in forged.get_data(as_text=True)
    too_short = send(client, unit, description="pendek")
    assert too_short.status_code == 422 and TEXT not in too_short.get_data(as_text=True)
    assert count(world.session) == 1


def test_the_form_is_rate_limited_per_address(client, world: World, designated) -> None:
    token = csrf_token(client, f"/complain/{world.polres.id}")
    answers = [
        client.post(
            f"/complain/{world.polres.id}",
            data={"csrf_token": token, "category": "other", "description": TEXT},
        ).status_code
        for _ in range(rules.PUBLIC_FORM_PER_MINUTE + 1)
    ]
    assert answers[:-1] == [422] * rules.PUBLIC_FORM_PER_MINUTE  # no form time: refused
    assert answers[-1] == 429
    other = client.post(
        f"/complain/{world.polres.id}",
        data={"csrf_token": token},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert other.status_code == 422  # another address is counted apart


def test_the_verification_page_shows_counts_only(client, world: World, designated) -> None:
    send(client, world.polres.id)
    designated.origin = DesignationOrigin.TRACKER  # a piagam is issued for this one
    certificate = certificates.issue_for_designation(
        world.session, designation=designated, user=world.admin
    )
    world.session.commit()
    html = client.get(f"/verify/{certificate.number}").get_data(as_text=True)
    assert "Pengaduan masyarakat" in html
    assert re.search(r"<dt>Diterima</dt><dd>1</dd>", html)
    assert TEXT not in html and CONTACT not in html


def test_the_register_belongs_to_the_unit_and_its_tpi(
    client, world: World, designated, english
) -> None:
    send(client, world.polres.id)
    [complaint] = world.session.scalars(select(Complaint)).all()
    login_as(client, world.pokja)  # reads, does not handle
    html = client.get(f"/complaints/{complaint.id}").get_data(as_text=True)
    assert TEXT in html and CONTACT in html
    refused = post_form(client, f"/complaints/{complaint.id}/status", {"to": "verified"})
    assert refused.status_code == 403
    login_as(client, world.penilai)  # the parent unit's assessor: not theirs
    assert client.get(f"/units/{world.polres.id}/complaints").status_code == 404
    login_as(client, world.tpi)
    bad = post_form(client, f"/complaints/{complaint.id}/status", {"to": "resolved", "note": "x"})
    assert bad.status_code == 422  # not a next status
    moved = post_form(
        client, f"/complaints/{complaint.id}/status", {"to": "verified", "note": "Dicek ke loket."}
    )
    assert moved.status_code == 303
    world.session.refresh(complaint)
    assert complaint.status is Status.VERIFIED and complaint.handler_id == world.tpi.id
    recorded = post_form(
        client,
        f"/units/{world.polres.id}/complaints",
        {
            "channel": "ombudsman",
            "category": "maladministration",
            "received_on": "2026-02-20",
            "description": TEXT,
            "reference": "OMB-7",
        },
    )
    assert recorded.status_code == 303 and count(world.session) == 2
    empty = post_form(client, f"/units/{world.polres.id}/complaints", {"channel": "media"})
    assert empty.status_code == 422 and count(world.session) == 2
    # The pages speak plainly in English too (tests/core/test_plain_words.py's checks).
    with client.session_transaction() as sess:
        sess["lang"] = "en"
    problems = []
    for url in (
        f"/units/{world.polres.id}/complaints",
        f"/complaints/{complaint.id}",
        f"/units/{world.polres.id}/monitoring",
        f"/complain/{world.polres.id}",
    ):
        problems += [
            f"{url}: {p}" for p in offences(visible_text(get_page(client, url), True), True)
        ]
    assert "Record a complaint from another channel" in get_page(
        client, f"/units/{world.polres.id}/complaints"
    ).text_of("main")
    assert not problems, "\n".join(problems)


def test_monitoring_no_longer_meets_to_proposed_revocation(
    client, world: World, designated
) -> None:
    login_as(client, world.tpi)
    unit = world.polres.id
    page = client.get(f"/units/{unit}/monitoring")
    assert "Catat laporan pemantauan" in page.get_data(as_text=True)
    fields = {
        "designation_id": str(designated.id),
        "reported_on": "2026-02-27",
        "result": "no_longer_meets",
        "lke_score": "58,5",  # a comma: refused as a number, nothing saved
        "note": "",
    }
    letter = (io.BytesIO(pdf_bytes("surat")), "surat.pdf")
    refused = post_form(
        client,
        f"/units/{unit}/monitoring",
        fields | {"letter": letter},
        page=f"/units/{unit}/monitoring",
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    letter = (io.BytesIO(pdf_bytes("surat")), "surat.pdf")
    filed = post_form(
        client,
        f"/units/{unit}/monitoring",
        fields | {"lke_score": "58.5", "letter": letter},
        page=f"/units/{unit}/monitoring",
        content_type="multipart/form-data",
    )
    assert filed.status_code == 303 and "/verifications/" in filed.headers["Location"]
    task = world.session.scalars(select(VerificationTask)).one()
    home = client.get("/").get_data(as_text=True)  # on TPI's desk, "Tugas saya"
    assert f'href="/verifications/{task.id}"' in home
    login_as(client, world.tpn)
    assert f'href="/verifications/{task.id}"' in client.get("/").get_data(as_text=True)
    decided = post_form(
        client,
        f"/verifications/{task.id}",
        {"outcome": VerificationOutcome.PROPOSE_REVOCATION.value, "note": "Terbukti pungli."},
    )
    assert decided.status_code == 303
    world.session.refresh(task)
    assert task.outcome is VerificationOutcome.PROPOSE_REVOCATION
    assert f'href="/verifications/{task.id}"' not in client.get("/").get_data(as_text=True)
    login_as(client, world.admin)
    html = client.get(f"/verifications/{task.id}").get_data(as_text=True)
    assert "Catat keputusan pencabutan" in html
    form = client.get(f"/designations/{designated.id}/revoke?reason=Terbukti+pungli.")
    assert "Terbukti pungli.</textarea>" in form.get_data(as_text=True)
