"""The whole journey in a real browser, as the people who do it.

KPPN Jakarta I (Kementerian Keuangan) builds its LKE (an answer in error corrected, evidence for
all items but two, handed on knowingly), is reviewed by the TPI (an item sent back and fixed,
the two items without evidence approved one by one), proposed by its agency, evaluated and
designated by TPN; leadership downloads the
certificate, an anonymous visitor verifies it by its QR code, an admin revokes it and the
verification page shows it. A screenshot of every step lands in tests/e2e/artifacts/.
"""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2
import pytest
import zxingcpp
from playwright.sync_api import Browser, Page, expect

from tests.lke_answers import perfect_answers
from tracker import clock
from tracker.lke import get_framework, write_worksheet

# A success message: flashed after a reload, or the status line the review script writes
# in place (the LKE page also shows the plan's "requirements met" note in the same style).
DONE = ".flashes .flash-success, .review-status"

pytestmark = pytest.mark.e2e
PASSWORD = "zona-integritas"
AREAS = ["1", "2", "3", "4", "5", "6", "B"]
# Evidence is linked for every item but these two: they travel "tanpa bukti" (D16).
WITHOUT_EVIDENCE = ["A.I.2.i.a", "A.I.2.i.b"]


class Journey:
    def __init__(self, browser: Browser, base: str, artifacts: Path) -> None:
        self.browser, self.base, self.artifacts, self.step = browser, base, artifacts, 0
        self.pages: dict[str, Page] = {}

    def as_user(self, username: str) -> Page:
        if username not in self.pages:
            page = self.browser.new_context(
                viewport={"width": 1360, "height": 900}, accept_downloads=True
            ).new_page()
            page.on("dialog", lambda dialog: dialog.accept())
            if username != "anonymous":
                page.goto(self.base + "/login")
                page.fill("input[name=username]", username)
                page.fill("input[name=password]", PASSWORD)
                page.click("form button.btn-primary")
                expect(page.locator("h1")).to_contain_text("Selamat datang")
            self.pages[username] = page
        return self.pages[username]

    def shot(self, page: Page, name: str) -> None:
        self.step += 1
        page.screenshot(path=self.artifacts / f"{self.step:02d}-{name}.png", full_page=False)

    def advance(self, page: Page, action: str, **fields: str) -> None:
        form = page.locator(f"form.action-form:has(input[name=action][value={action}])")
        for name, value in fields.items():
            form.locator(f"[name={name}]").fill(value)
        confirm = form.locator("input[name=confirm_evidence]")  # D16: items without evidence
        if confirm.count():
            confirm.check()
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        expect(page.locator(DONE)).to_be_visible()


@pytest.fixture
def journey(browser: Browser, live_server: str, artifacts: Path) -> Journey:
    return Journey(browser, live_server, artifacts)


def _item(page: Page, code: str):
    return page.locator(f'[id="item-{code}"]')


def test_from_building_to_designation_verification_and_revocation(journey: Journey) -> None:
    base = journey.base
    # 1. The coordinator finds the unit, imports the official worksheet and uploads evidence.
    coord = journey.as_user("koordinator.kppnjakarta1")
    # The home page lists the Zona Integritas work in progress of the user's units.
    coord.locator("table").get_by_role("link", name="KPPN Jakarta I", exact=True).click()
    enrolment_url = coord.url
    coord.get_by_role("link", name="LKE & bukti").click()
    workbook = write_worksheet(
        get_framework("lke-2021"), perfect_answers(get_framework("lke-2021"))
    )
    coord.set_input_files(
        ".import-form input[type=file]",
        files=[
            {
                "name": "LKE-KPPN-Jakarta-I.xlsx",
                "buffer": workbook,
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        ],
    )
    coord.click(".import-form button")
    # The import shows what it would change and saves only on "Simpan perubahan" (issue 11).
    expect(coord.locator(".import-facts")).to_contain_text("Lampiran III (LKE ZI)")
    journey.shot(coord, "koordinator-lke-import-preview")
    coord.get_by_role("button", name="Simpan perubahan").first.click()
    expect(coord.locator(DONE)).to_contain_text("LKE diimpor")
    expect(coord.locator(".stat .value").first).to_have_text("100,00")
    journey.shot(coord, "koordinator-lke-imported")
    item = _item(coord, "A.I.1.i.a")
    item.locator(".dropzone").first.locator("input[type=file]").set_input_files(
        files=[
            {
                "name": "SK Tim ZI KPPN Jakarta I.pdf",
                "buffer": _pdf(),
                "mimeType": "application/pdf",
            }
        ]
    )
    expect(item.locator(".upload-progress .upload-ok")).to_have_count(1, timeout=15000)
    journey.shot(coord, "koordinator-evidence-uploaded")
    _link_evidence(coord, base, enrolment_url, skip={"A.I.1.i.a", *WITHOUT_EVIDENCE})
    # An answer in error (0 targets of which 0 achieved) is shown on the item and holds the
    # hand-off back, naming the item, until it is corrected (revised D4).
    coord.goto(enrolment_url + "/lke?area=4")
    _save_counts(coord, "A.II.4.i.a", [0, 0])
    expect(_item(coord, "A.II.4.i.a").locator(".item-error")).to_contain_text("penyebut nol")
    coord.reload()  # the hand-off blockers are not part of what an autosave swaps in
    expect(coord.locator(".blockers")).to_contain_text("isian salah yang harus diperbaiki dulu")
    journey.shot(coord, "koordinator-answer-in-error")
    _save_counts(coord, "A.II.4.i.a", [4, 4])
    coord.goto(enrolment_url + "/lke?area=2")
    for code in WITHOUT_EVIDENCE:
        expect(_item(coord, code).locator(".item-badges")).to_contain_text("tanpa bukti")
    journey.shot(coord, "koordinator-lke-without-evidence")
    coord.goto(enrolment_url)
    gap = coord.locator("form.action-form:has(input[value=submit_tpi]) .evidence-gap")
    expect(gap).to_contain_text("2 butir terjawab tanpa bukti dukung")
    gap.locator("summary").first.click()
    journey.shot(coord, "koordinator-handoff-confirmation")
    journey.advance(coord, "submit_tpi")
    journey.shot(coord, "koordinator-submitted-to-tpi")

    # 2. The TPI sends one item back with a comment.
    tpi = journey.as_user("tpi.kemenkeu")
    tpi.goto(enrolment_url.replace(base, base) + "/lke?area=1")
    decision = _item(tpi, "A.I.1.i.a").locator("form.decision-form")
    decision.locator("input[value=revision]").check()
    decision.locator("input[name=comment]").fill("SK tim belum bertanda tangan kepala kantor")
    decision.locator("button").click()
    expect(tpi.locator(DONE)).to_be_visible()
    journey.shot(tpi, "tpi-sent-back")

    # 3. The coordinator sees why, fixes it and resubmits.
    coord.goto(enrolment_url + "/lke?area=1")
    item = _item(coord, "A.I.1.i.a")
    expect(item).to_contain_text("SK tim belum bertanda tangan kepala kantor")
    item.locator("textarea[name='A.I.1.i.a-note']").fill(
        "SK ditandatangani ulang, versi 2 diunggah"
    )
    _save_item(coord, "A.I.1.i.a")
    item = _item(coord, "A.I.1.i.a")
    item.locator("form.decision-form input[name=comment]").fill("SK sudah ditandatangani")
    item.locator("form.decision-form button").click()
    expect(coord.locator(DONE)).to_contain_text("dikirim ulang")
    journey.shot(coord, "koordinator-resubmitted")

    # 4. The TPI approves everything, signs off every area and recommends the unit. "Approve
    # all" skips the items without evidence; the TPI looks at each and approves it alone.
    for area in AREAS:
        tpi.goto(f"{enrolment_url}/lke?area={area}")
        tpi.click("text=Setujui semua yang belum diputuskan")
        if area == "2":
            expect(tpi.locator(".flashes .flash-warning")).to_contain_text(
                "2 butir tanpa bukti dilewati"
            )
            journey.shot(tpi, "tpi-lke-without-evidence")
            for code in WITHOUT_EVIDENCE:
                decision = _item(tpi, code).locator("form.decision-form")
                decision.locator("input[value=approved]").check()
                decision.locator("button").click()
                expect(tpi.locator(DONE)).to_contain_text(code)
        tpi.click("text=Tandatangani area ini")
        expect(tpi.locator(DONE)).to_contain_text("ditandatangani")
    journey.shot(tpi, "tpi-areas-signed")
    tpi.goto(enrolment_url)
    journey.advance(tpi, "tpi_meets")
    journey.shot(tpi, "tpi-recommended")

    # 5. The agency records the prerequisites with evidence and proposes the unit.
    lead = journey.as_user("pimpinan.kemenkeu")
    lead.goto(enrolment_url + "/prerequisites")
    for row in range(lead.locator("form.prereq-form").count()):
        form = lead.locator("form.prereq-form").nth(row)
        value = form.locator("[name=value]")
        if value.evaluate("e => e.tagName") == "SELECT":
            options = value.locator("option").all_inner_texts()
            value.select_option(options[0] if options[0] != "5" else "4")
        else:
            value.fill("100" if "%" in (value.get_attribute("placeholder") or "") else "18")
        form.locator("[name=link]").fill(f"https://kemenkeu.example.go.id/bukti/{row}")
        with lead.expect_navigation():
            form.locator("button").click()
        expect(lead.get_by_text("Persyaratan disimpan.")).to_be_visible()
    expect(lead.get_by_text("Semua persyaratan usulan tercatat dan terpenuhi.")).to_be_visible()
    journey.shot(lead, "pimpinan-prerequisites")
    lead.goto(enrolment_url)
    journey.advance(lead, "propose")
    journey.shot(lead, "pimpinan-proposed")

    # 6. TPN: administrative selection, desk and field evaluation, designation.
    tpn = journey.as_user("tpn")
    tpn.goto(enrolment_url)
    journey.advance(tpn, "admin_pass")
    journey.advance(tpn, "desk_continue")
    # D14: IPAK and IPKP come from the survey run for TPN, recorded on the TPN tier.
    tpn.goto(enrolment_url + "/lke?tier=tpn&area=B")
    for code, index in (("B.I.a", "3.82"), ("B.II.a", "3.71")):
        form = tpn.locator(f'[id="survey-{code}"] form.survey-form')
        form.locator("[name=index]").fill(index)
        form.locator("[name=source]").fill("BPS Provinsi DKI Jakarta")
        form.locator("[name=period]").fill("Agustus–September 2027")
        form.locator("[name=respondents]").fill("120")
        form.locator("[name=report_link]").fill(f"https://bps.example.go.id/zi/{code}.pdf")
        with tpn.expect_navigation():
            form.locator("button[type=submit]").click()
        expect(tpn.locator(DONE)).to_be_visible()
    expect(tpn.locator('[id="survey-B.I.a"]')).to_contain_text("survei TPN tercatat")
    journey.shot(tpn, "tpn-survey")
    tpn.goto(enrolment_url)
    # A decree is signed before it is recorded (issue 15 §3): the Minister signed it today.
    signed = clock.today().isoformat()
    # Issue 17 §1: the overseers' clearance round before the designation; each answers clear.
    card = tpn.locator("#clearance")
    expect(card).to_contain_text("belum diminta kepada Ombudsman RI, KPK, APIP instansi")
    for overseer in ("Ombudsman RI", "KPK", "APIP instansi"):
        ask = card.locator("form[action$='/clearance']")
        if not ask.is_visible():
            card.get_by_text("Catat permintaan klirens").click()
        ask.locator("[name=overseer]").select_option(overseer)
        ask.locator("[name=asked_on]").fill(signed)
        with tpn.expect_navigation():
            ask.locator("button[type=submit]").click()
        expect(tpn.locator(DONE)).to_be_visible()
        row = card.locator(".clearance-row", has_text=overseer)
        row.get_by_text("Catat jawaban").click()
        row.locator("[name$=answered_on]").fill(signed)
        row.locator("[name$=result][value=clear]").check()
        with tpn.expect_navigation():
            row.locator("button[type=submit]").click()
        expect(tpn.locator(DONE)).to_be_visible()
        expect(card.locator(".clearance-row", has_text=overseer)).to_contain_text("bersih")
    expect(card).to_contain_text("Semua permintaan klirens sudah dijawab")
    journey.shot(tpn, "tpn-clearance")
    journey.advance(tpn, "designate", decree_number="1234/2027", decree_date=signed)
    expect(tpn.locator("h1")).to_contain_text("Ditetapkan")
    journey.shot(tpn, "tpn-designated")

    # 7. Leadership downloads the certificate; its QR code leads to the verification page.
    lead.goto(base + "/certificates")
    journey.shot(lead, "pimpinan-certificates")
    row = lead.locator("tr", has_text="KPPN Jakarta I").filter(has_text="2027")
    href = row.locator("a[href$='.pdf']").get_attribute("href")
    response = lead.request.get(base + href)  # the browser context's session downloads it
    assert response.ok and response.headers["content-type"].startswith("application/pdf")
    pdf = response.body()
    assert pdf.startswith(b"%PDF")
    url = _qr_url(pdf)
    assert url.startswith(base + "/verify/")

    visitor = journey.as_user("anonymous")
    visitor.goto(url)
    expect(visitor.locator("main")).to_contain_text("KPPN Jakarta I")
    expect(visitor.locator(".verify-valid")).to_be_visible()
    journey.shot(visitor, "public-verification-valid")

    # 8. An admin revokes the predicate; the same page shows it at once.
    admin = journey.as_user("admin")
    admin.goto(enrolment_url)
    journey.advance(
        admin,
        "revoke",
        decree_number="15/2028",
        decree_date=signed,
        on_date=signed,
        note="Kepala kantor terjaring OTT",
    )
    visitor.reload()
    expect(visitor.locator(".verify-revoked")).to_be_visible()
    expect(visitor.locator("main")).to_contain_text("Kepala kantor terjaring OTT")
    expect(visitor.locator(".verify-revocation")).to_contain_text("Nomor 15/2028")
    journey.shot(visitor, "public-verification-revoked")


def _link_evidence(page: Page, base: str, enrolment_url: str, skip: set[str]) -> None:
    """The coordinator records a link to each item's required document, as agencies keep their
    evidence in shared folders: posted as the item's link form posts it, without rendering the
    LKE page after each one."""
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    enrolment_id = enrolment_url.rstrip("/").rsplit("/", 1)[1]
    for item in get_framework("lke-2021").items():
        if item.code in skip:
            continue
        document = next(d for d in item.documents if d.required)
        response = page.request.post(
            f"{base}/enrolments/{enrolment_id}/evidence/link",
            form={
                "csrf_token": token,
                "item": item.code,
                "document": document.key,
                "url": f"https://drive.example.go.id/kppn-jakarta-1/{item.code}",
                "title": document.title,
            },
            max_redirects=0,
        )
        assert response.status == 303, (item.code, response.status)


def _save_counts(page: Page, code: str, counts: list[int]) -> None:
    for index, count in enumerate(counts):
        _item(page, code).locator(f"input[name='{code}-count_{index}']").fill(str(count))
    _save_item(page, code)


def _save_item(page: Page, code: str) -> None:
    """The item's own button: lke-answers.js saves it in place (issue 14 §1), no reload."""
    _item(page, code).locator(".answer-form button[name=at]").click()
    expect(_item(page, code).locator(".answer-col")).not_to_have_attribute(
        "data-dirty", "", timeout=15000
    )
    expect(_item(page, code).locator(".save-status")).to_contain_text("tersimpan")


def _pdf() -> bytes:
    from tests.evidence.evidence_samples import pdf_bytes

    return pdf_bytes("SK Tim Kerja Pembangunan ZI KPPN Jakarta I")


def _qr_url(pdf: bytes) -> str:
    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    image = document[0].render(scale=200 / 72).to_pil()
    found = zxingcpp.read_barcodes(image)
    assert found, "no QR code found on the certificate"
    return found[0].text
