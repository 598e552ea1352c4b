"""Issue 14 §5 in a real browser, on the demo's Polres Metro Depok (waiting for its preliminary
assessment by Polda Metro Jaya): the assessor approves one item and sends another back without
the page reloading, the coordinator reads the reason in the item's conversation and resubmits,
the assessor sees both their earlier comment and the resubmission, and the comparison filters
its items. Screenshots of the review page and the comparison at 1280 and 390 px land in
tests/e2e/artifacts/ (review-*.png)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import sign_in

pytestmark = pytest.mark.e2e
APPROVE, SEND_BACK = "A.I.1.i.a", "A.I.1.i.b"
REASON = "SK tim belum ditandatangani Kapolres"
FIX = "SK ditandatangani ulang dan diunggah kembali"


def _login(browser: Browser, base: str, username: str, width: int = 1280) -> Page:
    return sign_in(browser, base, username, width=width, accept_dialogs=True)


def _item(page: Page, code: str):
    return page.locator(f'[id="item-{code}"]')


def _no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"


def test_review_without_reload_conversation_and_comparison(
    browser: Browser, live_server: str, artifacts: Path
) -> None:
    base = live_server
    coord = _login(browser, base, "koordinator.depok")
    coord.locator("table").get_by_role("link", name="Polres Metro Depok", exact=True).first.click()
    enrolment_url = coord.url.split("?")[0].split("#")[0]
    assert re.search(r"/enrolments/\d+$", enrolment_url), enrolment_url

    # 1. The assessor approves one item and sends another back, without a reload.
    reviewer = _login(browser, base, "penilai.poldametro")
    reviewer.goto(enrolment_url + "/lke?area=1")
    reviewer.evaluate("window.__reviewMarker = 'no reload'")
    signoff = reviewer.locator(".card.signoff")
    expect(signoff).to_contain_text("0 dari 16 butir disetujui")
    tab = reviewer.locator("nav.area-tabs a[aria-current=page]")
    expect(tab).not_to_contain_text("dikembalikan")

    approve = _item(reviewer, APPROVE).locator("form.decision-form")
    approve.locator("input[value=approved]").check()
    approve.locator("button").click()
    expect(_item(reviewer, APPROVE).locator(".item-badges")).to_contain_text("disetujui")
    expect(_item(reviewer, APPROVE).locator(".review-status")).to_contain_text(
        f"Keputusan untuk butir {APPROVE} disimpan."
    )
    expect(reviewer.locator(".card.signoff")).to_contain_text("1 dari 16 butir disetujui")
    # A document verdict goes the same way, into the item's conversation.
    check = _item(reviewer, APPROVE).locator("form.check-form").first
    check.locator("input[value=missing]").check()
    check.locator("input[name=comment]").fill("Lampiran SK belum ada")
    check.locator("button").click()
    expect(_item(reviewer, APPROVE).locator(".conversation .turn-what").first).to_have_text(
        "Dokumen “SK Tim Kerja Pembangunan ZI”: kurang"
    )
    expect(_item(reviewer, APPROVE).locator(".review-status")).to_contain_text(
        "Penilaian dokumen disimpan."
    )

    # A send-back without its reason is refused at the item; nothing else moves.
    back = _item(reviewer, SEND_BACK).locator("form.decision-form")
    back.locator("input[value=revision]").check()
    back.locator("button").click()
    error = _item(reviewer, SEND_BACK).locator(".review-error[role=alert]")
    expect(error).to_contain_text("Tuliskan alasan pengembalian")
    expect(back.locator("input[value=revision]")).to_be_checked()  # the choice stays
    back.locator("input[name=comment]").fill(REASON)
    back.locator("button").click()
    item = _item(reviewer, SEND_BACK)
    expect(item.locator(".item-badges")).to_contain_text("dikembalikan")
    expect(item.locator(".review-error")).to_have_count(0)
    expect(item.locator(".conversation .turn-comment")).to_have_text([REASON])
    expect(reviewer.locator("nav.area-tabs a[aria-current=page]")).to_contain_text("1 dikembalikan")
    # Only the latest action's word is shown.
    expect(reviewer.locator(".review-status")).to_have_count(1)
    assert reviewer.evaluate("window.__reviewMarker") == "no reload"
    assert reviewer.url.endswith("/lke?area=1")

    # 2. The coordinator sees the reason in the banner and the conversation, and resubmits.
    coord.goto(enrolment_url + "/lke?area=1")
    coord.evaluate("window.__reviewMarker = 'no reload'")
    item = _item(coord, SEND_BACK)
    expect(item.locator(".sent-back-banner")).to_contain_text(REASON)
    expect(item.locator(".conversation")).to_contain_text(REASON)
    expect(item.locator(".conversation")).to_contain_text("Penilaian pendahuluan")
    resubmit = item.locator("form.resubmit-form")
    resubmit.locator("input[name=comment]").fill(FIX)
    resubmit.locator("button").click()
    item = _item(coord, SEND_BACK)
    expect(item.locator(".item-badges")).to_contain_text("diperbaiki, menunggu penilai")
    expect(item.locator(".conversation .turn-comment")).to_have_text([FIX, REASON])
    expect(item.locator(".review-status")).to_contain_text("dikirim ulang")
    assert coord.evaluate("window.__reviewMarker") == "no reload"

    # 3. The assessor, re-reviewing, sees their earlier comment and the resubmission.
    reviewer.goto(enrolment_url + "/lke?area=1")
    item = _item(reviewer, SEND_BACK)
    expect(item.locator(".conversation .turn-what")).to_have_text(
        ["Diperbaiki dan dikirim ulang oleh unit", "Dikembalikan untuk perbaikan"]
    )
    expect(item.locator(".conversation .turn-comment")).to_have_text([FIX, REASON])
    item.scroll_into_view_if_needed()
    reviewer.screenshot(path=artifacts / "review-lke-conversation-1280.png")
    phone = _login(browser, base, "penilai.poldametro", width=390)
    phone.goto(enrolment_url + f"/lke?area=1#item-{SEND_BACK}")
    phone_item = _item(phone, SEND_BACK)
    phone_item.locator(".conversation").scroll_into_view_if_needed()
    box = phone_item.locator(".conversation").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    phone.screenshot(path=artifacts / "review-lke-conversation-390.png")

    # 4. The comparison: only what was sent back, only differences, per area.
    reviewer.goto(enrolment_url + "/compare")
    expect(reviewer.locator(".compare-count")).to_contain_text("113 dari 113 butir")
    reviewer.get_by_role("link", name="Hanya yang pernah dikembalikan").click()
    # This item and the one of area 3 the demo's assessor sent back before (issue 15 §6).
    expect(reviewer.locator(".compare-count")).to_contain_text("2 dari 113 butir")
    rows = reviewer.locator("table.compare-items-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("pernah dikembalikan")
    expect(rows.first).to_contain_text("Penilaian pendahuluan: diperbaiki, menunggu penilai")
    reviewer.screenshot(path=artifacts / "review-compare-sent-back-1280.png", full_page=True)
    reviewer.locator(".area-chips a", has_text="Area 2").click()
    expect(reviewer.locator(".compare-count")).to_contain_text("0 dari 113 butir")
    expect(reviewer.locator(".compare-items")).to_contain_text("Tidak ada butir yang cocok")
    reviewer.get_by_role("link", name="Hapus saringan").click()
    reviewer.get_by_role("link", name="Hanya yang berbeda").click()
    expect(reviewer.locator(".compare-count")).to_contain_text(re.compile(r"\d+ dari 113 butir"))
    reviewer.get_by_role("link", name="Hanya yang berbeda ✕").click()
    reviewer.get_by_role("link", name="Hanya yang pernah dikembalikan").click()
    reviewer.locator("table.compare-items-table tbody td a", has_text=SEND_BACK).click()
    expect(reviewer).to_have_url(re.compile(rf"/lke\?area=1#item-{re.escape(SEND_BACK)}$"))

    phone.goto(enrolment_url + "/compare?area=1")
    expect(phone.locator(".compare-count")).to_contain_text("16 dari 113 butir")
    _no_sideways_scroll(phone)
    # The items stack at phone width (each answer labelled with its tier), the score table
    # scrolls inside its own box: the page itself never scrolls sideways.
    expect(phone.locator("table.compare-items-table thead")).not_to_be_in_viewport()
    first = phone.locator("table.compare-items-table tbody tr").first
    assert first.evaluate("el => getComputedStyle(el).display") == "block"
    for box_of in ("table.compare-items-table", ".compare-scores"):
        wrap = phone.locator(box_of).locator("xpath=..")
        assert wrap.evaluate("el => el.getBoundingClientRect().right") <= 390
    phone.screenshot(path=artifacts / "review-compare-390.png", full_page=False)
    phone.locator(".compare-items").scroll_into_view_if_needed()
    phone.screenshot(path=artifacts / "review-compare-items-390.png", full_page=False)
    reviewer.goto(enrolment_url + "/compare?area=1")
    reviewer.screenshot(path=artifacts / "review-compare-1280.png", full_page=False)
