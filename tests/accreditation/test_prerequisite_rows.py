"""Issue 14 §2: a prerequisite row keeps its note when saved again, and lists its files and
links with download links (an agency-level one also to the other units of the agency)."""

from __future__ import annotations

import io

from sqlalchemy import select

from tests.evidence.evidence_samples import pdf_bytes
from tests.helpers import login_as, post_form
from tests.html import get_page
from tests.world import World
from tracker.accreditation.models import Prerequisite
from tracker.auth.roles import Role

BPK = "agency.bpk_opinion"


def _page(enrolment) -> str:
    return f"/enrolments/{enrolment.id}/prerequisites"


def _row(page, code: str = BPK):
    (form,) = [
        f
        for f in page.select("form.prereq-form")
        if f.one("input[name=code]").attr("value") == code
    ]
    return form


def _save(client, enrolment, data: dict, **files):
    payload = {"code": BPK, **data}
    for name, (content, filename) in files.items():
        payload[name] = (io.BytesIO(content), filename)
    return post_form(
        client,
        _page(enrolment),
        payload,
        page=_page(enrolment),
        content_type="multipart/form-data",
    )


def _note(world: World) -> str:
    world.session.expire_all()
    return world.session.scalars(select(Prerequisite).where(Prerequisite.code == BPK)).one().note


def test_saving_again_keeps_the_note_the_form_shows(client, world: World) -> None:
    e = world.enrol()
    login_as(client, world.pimpinan)
    assert _save(client, e, {"value": "WTP", "note": "LHP BPK 2025 no. 12"}).status_code == 303
    shown = _row(get_page(client, _page(e))).one("textarea[name=note]").text
    assert shown == "LHP BPK 2025 no. 12"  # prefilled
    # the person changes only the value and sends the form as shown
    assert _save(client, e, {"value": "WDP", "note": shown}).status_code == 303
    assert _note(world) == "LHP BPK 2025 no. 12"
    # a form without the field (an older page) keeps it too
    assert _save(client, e, {"value": "WTP"}).status_code == 303
    assert _note(world) == "LHP BPK 2025 no. 12"
    # changed or cleared on purpose: as the person says
    assert _save(client, e, {"value": "WTP", "note": "LHP 2026"}).status_code == 303
    assert _note(world) == "LHP 2026"
    assert _save(client, e, {"value": "WTP", "note": ""}).status_code == 303
    assert _note(world) == ""


def test_the_row_lists_its_files_and_links_with_download_links(client, world: World) -> None:
    e = world.enrol()
    login_as(client, world.pimpinan)
    _save(client, e, {"value": "WTP"}, file=(pdf_bytes("opini 2024"), "LHP 2024.pdf"))
    _save(client, e, {"value": "WTP", "link": "https://bpk.example.go.id/lhp-2025"})
    _save(client, e, {"value": "WTP"}, file=(pdf_bytes("opini 2025"), "LHP 2025.pdf"))
    cell = _row_cells(get_page(client, _page(e)))
    names = [a.text for a in cell.select("ul.prereq-files a")]
    assert names == ["LHP 2024.pdf", "🔗 bpk.example.go.id", "LHP 2025.pdf"]
    link = cell.one('a[href="https://bpk.example.go.id/lhp-2025"]')
    assert link.attr("rel") == "noopener noreferrer"
    download = cell.select("ul.prereq-files a")[0].attr("href")
    assert download.startswith(f"/enrolments/{e.id}/prerequisites/files/")
    response = client.get(download)
    assert response.status_code == 200 and response.data == pdf_bytes("opini 2024")
    assert response.headers["Content-Disposition"].startswith("attachment")
    response.close()


def _row_cells(page):
    """The evidence cell of the BPK row (found by its label: an agency-level row has no form
    for a unit's coordinator)."""
    (row,) = [
        r
        for r in page.select("table.card-table tbody tr")
        if r.select("td") and r.select("td")[0].text == "Opini BPK atas laporan keuangan instansi"
    ]
    return row.one("td.prereq-evidence")


def test_an_agency_level_file_reaches_the_agencys_other_units(
    client, world: World, factory
) -> None:
    """Recorded from the Polres' enrolment; the sibling unit's coordinator sees it on their
    own page and downloads it there, though the Polres' evidence is outside their scope."""
    e = world.enrol()
    login_as(client, world.pimpinan)
    _save(client, e, {"value": "WTP"}, file=(pdf_bytes("opini"), "LHP.pdf"))
    sibling_enrolment = world.enrol(world.sibling)
    coordinator = factory.user((Role.KOORDINATOR, world.sibling))
    login_as(client, coordinator)
    cell = _row_cells(get_page(client, _page(sibling_enrolment)))
    (link,) = cell.select("ul.prereq-files a")
    assert link.text == "LHP.pdf"
    response = client.get(link.attr("href"))
    assert response.status_code == 200 and response.data == pdf_bytes("opini")
    response.close()
    public_id = link.attr("href").rsplit("/", 1)[1]
    assert client.get(f"/evidence/{public_id}").status_code == 404  # not their unit's file
    # and a file of no prerequisite on that page is not served through it
    other = client.get(f"/enrolments/{sibling_enrolment.id}/prerequisites/files/{'0' * 32}")
    assert other.status_code == 404
