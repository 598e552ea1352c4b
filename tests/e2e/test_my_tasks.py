"""My tasks, "Tugas saya", in a real browser (issue 15 §1).

Disdukcapil Kota Bekasi (only declared in the demo, and used by no other browser test) starts
building, imports its worksheet and goes to its TPI; the TPI finds the unit in its own task
list, sends one item back with a comment; the coordinator logs in, sees that item first in
"Tugas saya" with the comment and the days left, clicks it and lands on the item. Polres Metro
Depok (which other tests change) is only read: it waits in Polda Metro Jaya's task list, and
its pages show the stage's deadline. Screenshots at 1280 and 390 px land in
tests/e2e/artifacts/ (``tasks-*``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import sign_in
from tests.lke_answers import perfect_answers
from tracker.lke import get_framework, write_worksheet

pytestmark = pytest.mark.e2e
UNIT = "Dinas Kependudukan dan Pencatatan Sipil"
ITEM = "A.I.3.i.a"  # an item of area 3 (Penataan Sistem Manajemen SDM)
COMMENT = "Rencana kebutuhan pegawai 2027 belum ditandatangani kepala dinas"
DAYS = re.compile(r"(\d+ hari lagi|hari ini|besok|terlambat \d+ hari)")


def login(browser: Browser, base: str, username: str, width: int = 1280) -> Page:
    return sign_in(browser, base, username, width=width, accept_dialogs=True)


def shot(page: Page, artifacts: Path, name: str) -> None:
    page.screenshot(path=artifacts / f"tasks-{name}.png", full_page=False)


def advance(page: Page, action: str) -> None:
    form = page.locator(f"form.action-form:has(input[name=action][value={action}])")
    confirm = form.locator("input[name=confirm_evidence]")  # D16: the demo's LKE has no evidence
    if confirm.count():
        confirm.check()
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator(".flashes .flash-success")).to_be_visible()


def first_task(page: Page):
    """The first section of the home page must be "Tugas saya"; its first task."""
    expect(page.locator("main section.card").first).to_have_id("tugas-saya")
    return page.locator("#tugas-saya li.task").first


def test_a_send_back_lands_first_on_the_coordinators_desk(
    browser: Browser, live_server: str, artifacts: Path
) -> None:
    base = live_server
    coord = login(browser, base, "koordinator.disdukcapil")
    # Declared only: the unit's task is its blank LKE, with the self-assessment deadline.
    task = first_task(coord)
    expect(task).to_have_attribute("data-kind", "unanswered")
    expect(task.locator(".task-title")).to_have_text("113 butir LKE belum dijawab")
    expect(task.locator(".task-subject")).to_contain_text(UNIT)
    expect(task.locator(".due-badge")).to_have_text(DAYS)
    shot(coord, artifacts, "01-koordinator-declared-1280")

    # Build: start, import the official worksheet, hand on to the TPI (no preliminary tier).
    coord.locator("#tugas-saya a.task-title").first.click()
    enrolment_url = re.sub(r"/lke.*$", "", coord.url)
    coord.goto(enrolment_url)
    expect(coord.locator(".stage-due")).to_contain_text("Akhir penilaian mandiri")
    advance(coord, "start_building")
    coord.goto(enrolment_url + "/lke")
    coord.set_input_files(
        ".import-form input[type=file]",
        files=[
            {
                "name": "LKE-Disdukcapil.xlsx",
                "buffer": write_worksheet(
                    get_framework("lke-2021"), perfect_answers(get_framework("lke-2021"))
                ),
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        ],
    )
    coord.click(".import-form button")
    coord.get_by_role("button", name="Simpan perubahan").first.click()
    expect(coord.locator(".flashes .flash-success")).to_contain_text("LKE diimpor")
    coord.goto(base + "/")
    # Answered, but without evidence (D16): that is the task now.
    expect(first_task(coord)).to_have_attribute("data-kind", "without_evidence")
    coord.goto(enrolment_url)
    advance(coord, "submit_tpi")
    # Handed on: the enrolment page's header shows the TPI stage's deadline and days left.
    expect(coord.locator(".stage-due")).to_contain_text("Akhir evaluasi TPI")
    expect(coord.locator(".stage-due .due-badge")).to_have_text(DAYS)

    # The TPI finds the unit in its own task list and sends one item back.
    tpi = login(browser, base, "tpi.kotabekasi")
    review = tpi.locator("#tugas-saya li.task", has_text=UNIT).first
    expect(review).to_have_attribute("data-kind", "review")
    expect(review.locator(".task-title")).to_have_text("Nilai LKE unit (TPI)")
    expect(review.locator(".task-detail")).to_contain_text("113 butir belum diputuskan")
    shot(tpi, artifacts, "02-tpi-queue-1280")
    review.locator("a.task-title").click()
    tpi.goto(enrolment_url + "/lke?area=3")
    item = tpi.locator(f'[id="item-{ITEM}"]')
    decision = item.locator("form.decision-form")
    decision.locator("input[value=revision]").check()
    decision.locator("input[name=comment]").fill(COMMENT)
    decision.locator("button").click()
    expect(tpi.locator(f'[id="item-{ITEM}"]')).to_contain_text(COMMENT)

    # The coordinator logs in: the sent-back item is the first task, with the comment.
    for width, name in ((1280, "03-koordinator-sent-back-1280"), (390, "04-koordinator-390")):
        page = login(browser, base, "koordinator.disdukcapil", width)
        task = first_task(page)
        expect(task).to_have_attribute("data-kind", "sent_back")
        expect(task.locator(".task-title")).to_have_text(f"Butir {ITEM} dikembalikan oleh TPI")
        expect(task.locator(".task-comment")).to_have_text(COMMENT)
        expect(task.locator(".due-badge")).to_have_text(DAYS)
        expect(task.locator(".task-date")).to_contain_text("batas")
        shot(page, artifacts, name)
    # One click lands on the item: its anchor, its area, the reviewer's words on it.
    page.locator("#tugas-saya a.task-title").first.click()
    expect(page).to_have_url(re.compile(rf"/lke\?tier=unit&area=3#item-{re.escape(ITEM)}$"))
    landed = page.locator(f'[id="item-{ITEM}"]')
    expect(landed).to_be_in_viewport()
    expect(landed).to_contain_text(COMMENT)
    shot(page, artifacts, "05-koordinator-landed-390")
    # The summary lists the task instead of "no action for your role".
    coord.goto(enrolment_url)
    tasks_here = coord.locator(".enrolment-tasks li.task")
    expect(tasks_here.first).to_contain_text(COMMENT)
    expect(coord.get_by_text("Tidak ada tindakan untuk peran Anda")).to_have_count(0)
    shot(coord, artifacts, "06-koordinator-summary-1280")
    page.goto(enrolment_url)
    expect(page.locator(".stage-due .due-badge")).to_have_text(DAYS)
    page.locator(".enrolment-tasks").scroll_into_view_if_needed()
    expect(page.locator(".enrolment-tasks .task-comment")).to_have_text(COMMENT)
    shot(page, artifacts, "06b-koordinator-summary-390")

    # The bell told the coordinator too (issue 15 §2); its entry leads to the same item.
    coord.goto(base + "/")
    expect(coord.locator("a.bell .bell-count")).to_be_visible()
    coord.locator("a.bell").click()
    told = coord.locator("li.notification.unread", has_text=f"Butir {ITEM}").first
    expect(told).to_contain_text("dikembalikan untuk perbaikan")
    told.locator("a").click()
    expect(coord).to_have_url(re.compile(re.escape(ITEM)))
    # Resubmitted: it is back on the TPI's desk as an item the unit fixed, and in its bell.
    fixed = coord.locator(f'[id="item-{ITEM}"]')
    fixed.locator("form.decision-form input[name=comment]").fill("SK sudah ditandatangani")
    fixed.locator("form.decision-form button").click()
    expect(coord.locator(".flashes .flash-success, .review-status")).to_contain_text(
        "dikirim ulang"
    )
    tpi.goto(base + "/")
    back = tpi.locator("#tugas-saya li.task", has_text=UNIT).first
    expect(back.locator(".task-detail")).to_contain_text("1 butir diperbaiki unit")
    tpi.locator("a.bell").click()
    expect(tpi.locator("li.notification.unread", has_text=f"Butir {ITEM}")).to_contain_text(
        "dikirim ulang"
    )
    shot(tpi, artifacts, "06c-tpi-bell-1280")


def test_depok_waits_in_the_preliminary_assessors_list(
    browser: Browser, live_server: str, artifacts: Path
) -> None:
    """Read only: other tests act on Polres Metro Depok in the same run."""
    base = live_server
    penilai = login(browser, base, "penilai.poldametro")
    depok = penilai.locator("#tugas-saya li.task", has_text="Polres Metro Depok")
    expect(depok.first).to_be_visible()
    expect(depok.first.locator(".due-badge")).to_have_text(DAYS)
    shot(penilai, artifacts, "07-penilai-poldametro-1280")
    coord = login(browser, base, "koordinator.depok", 390)
    # Either a task on Depok (an item sent back) or the sentence saying what comes next.
    expect(coord.locator("#tugas-saya")).to_contain_text("Polres Metro Depok")
    shot(coord, artifacts, "08-koordinator-depok-390")
    coord.locator("main table a", has_text="Polres Metro Depok").first.click()
    expect(coord.locator(".stage-due")).to_contain_text(
        re.compile("Akhir (evaluasi TPI|penilaian mandiri)")
    )
    expect(coord.locator(".stage-due .due-badge")).to_have_text(DAYS)
    shot(coord, artifacts, "09-koordinator-depok-enrolment-390")
