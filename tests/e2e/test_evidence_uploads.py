"""Issue 14 §2 in a real browser: an expected document holds several files.

Polres Metro Bekasi's coordinator (the demo's unit building its LKE) works in area 1 only
(areas 2 and 3 belong to the answers journey). With JavaScript: two files chosen at once both
upload and both are listed; "ganti" on one opens a file picker and its old version moves under
"versi sebelumnya"; the item's badges and the area tab's count follow without a reload (a
marker set on ``window`` survives). Without JavaScript: the plain form posts several files, and
"ganti" unfolds a small form. Screenshots at 1280 and 390 px land in tests/e2e/artifacts/
(prefix ``evidence-``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import sign_in

pytestmark = pytest.mark.e2e
USER = "koordinator.metrobekasi"


def _pdf(text: str) -> bytes:
    body = f"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n% {text}\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    return body.encode()


def _file(name: str, text: str) -> dict:
    return {"name": name, "buffer": _pdf(text), "mimeType": "application/pdf"}


def _sign_in(browser: Browser, base: str, *, javascript: bool, width: int = 1280) -> Page:
    return sign_in(browser, base, USER, javascript=javascript, width=width, accept_dialogs=True)


def _area_one(page: Page) -> str:
    page.locator("table").get_by_role("link", name="Polres Metro Bekasi", exact=True).click()
    page.get_by_role("link", name="LKE & bukti").click()
    url = page.url.split("?")[0] + "?area=1"
    page.goto(url)
    return url


def _missing_document(page: Page) -> tuple[str, str]:
    """(item code, document key) of the first required document of area 1 with no file."""
    doc = page.locator("article.item .doc.doc-missing:has(.dropzone)").first
    expect(doc).to_be_visible()
    code = doc.evaluate("d => d.closest('article.item').dataset.code")
    return code, doc.get_attribute("data-document") or ""


def _missing_count(page: Page) -> int:
    """Area 1's "n dok. wajib kurang" on its tab (0 when the badge is gone)."""
    text = page.locator("nav.area-tabs a.area-tab.active .area-flags").inner_text()
    found = re.search(r"(\d+) dok\. wajib kurang", text)
    return int(found.group(1)) if found else 0


def _doc(page: Page, code: str, key: str):
    return page.locator(f'[id="item-{code}"] .doc[data-document="{key}"]')


def _current_names(page: Page, code: str, key: str):
    return _doc(page, code, key).locator("ul.files > li.file > .file-line > a")


def test_with_javascript_files_add_up_replace_and_badges_follow(
    browser: Browser, live_server: str, artifacts: Path
) -> None:
    page = _sign_in(browser, live_server, javascript=True)
    _area_one(page)
    code, key = _missing_document(page)
    item = page.locator(f'[id="item-{code}"]')
    before = _missing_count(page)
    assert before >= 1
    expect(item.locator(".item-head")).to_contain_text(
        re.compile("dokumen wajib kurang|tanpa bukti")
    )
    page.evaluate("window.__stayed = 'sama'")
    page.evaluate("document.querySelector('.lke-summary .stats').dataset.old = '1'")

    # Two files chosen at once: each uploads, each is listed, the badges follow.
    dropzone_input = _doc(page, code, key).locator(".dropzone .upload-form input[type=file]")
    dropzone_input.set_input_files(
        files=[_file("SK Tim ZI Polres.pdf", "sk"), _file("Lampiran SK Tim ZI.pdf", "lampiran")]
    )
    expect(_current_names(page, code, key)).to_have_count(2, timeout=15000)  # any order
    names = sorted(_current_names(page, code, key).all_inner_texts())
    assert names == ["Lampiran SK Tim ZI.pdf", "SK Tim ZI Polres.pdf"]
    expect(_doc(page, code, key)).not_to_have_class(re.compile("doc-missing"))
    expect(item.locator(".item-head")).not_to_contain_text("dokumen wajib kurang")
    expect(item.locator(".item-head")).not_to_contain_text("tanpa bukti")
    expect(_doc(page, code, key).locator(".upload-progress .upload-ok")).to_have_count(2)
    assert _missing_count(page) == before - 1
    expect(page.locator(".lke-summary .stats[data-old]")).to_have_count(0)  # re-rendered
    assert page.evaluate("window.__stayed") == "sama"  # no navigation happened
    page.locator(f'[id="item-{code}"] .evidence-col').scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "evidence-two-files-1280.png")

    # "ganti" on the first file opens a picker; its old version moves under the new one.
    files = _doc(page, code, key).locator("ul.files > li.file")
    order = _current_names(page, code, key).all_inner_texts()
    first = files.filter(has=page.get_by_role("link", name="SK Tim ZI Polres.pdf", exact=True))
    with page.expect_file_chooser() as chooser:
        first.locator("details.replace > summary").click()
    chooser.value.set_files(_file("SK Tim ZI Polres (revisi).pdf", "sk revisi"))
    revised = [
        "SK Tim ZI Polres (revisi).pdf" if n == "SK Tim ZI Polres.pdf" else n for n in order
    ]  # the replacement keeps its file's place
    expect(_current_names(page, code, key)).to_have_text(revised, timeout=15000)
    current = files.nth(order.index("SK Tim ZI Polres.pdf"))
    expect(current.locator(".file-line")).to_contain_text("versi 2")
    older = current.locator("details.older-versions")
    expect(older.locator("summary")).to_have_text("versi sebelumnya (1)")
    older.locator("summary").click()
    expect(older.locator("a")).to_have_text("SK Tim ZI Polres.pdf")
    assert page.evaluate("window.__stayed") == "sama"
    page.screenshot(path=artifacts / "evidence-replaced-1280.png")

    # A file added after the column was re-rendered still uploads (listeners by delegation).
    _doc(page, code, key).locator(".dropzone .upload-form input[type=file]").set_input_files(
        files=[_file("Notulen rapat.pdf", "notulen")]
    )
    expect(_current_names(page, code, key)).to_have_count(3, timeout=15000)
    assert page.evaluate("window.__stayed") == "sama"

    # At phone width the evidence column fits: no sideways scroll of the page.
    page.set_viewport_size({"width": 390, "height": 844})
    if older.get_attribute("open") is None:  # kept open across the re-render, normally
        older.locator("summary").click()
    current.scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "evidence-replaced-390.png")
    column = item.locator(".evidence-col")
    overflow = column.evaluate("c => c.scrollWidth - c.clientWidth")
    assert overflow <= 1, f"the evidence column scrolls sideways by {overflow}px"


def test_without_javascript_the_form_posts_several_files_and_replaces(
    browser: Browser, live_server: str, artifacts: Path
) -> None:
    page = _sign_in(browser, live_server, javascript=False)
    url = _area_one(page)
    code, key = _missing_document(page)
    before = _missing_count(page)
    form = _doc(page, code, key).locator(".dropzone .upload-form")
    form.locator("input[type=file]").set_input_files(
        files=[_file("Undangan rapat.pdf", "undangan"), _file("Daftar hadir.pdf", "hadir")]
    )
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator(".flash-success")).to_contain_text("2 berkas diunggah.")
    if "area=1" not in page.url:
        page.goto(url)
    expect(_current_names(page, code, key)).to_have_text(["Undangan rapat.pdf", "Daftar hadir.pdf"])
    assert _missing_count(page) == before - 1
    # "ganti" unfolds a small form without JavaScript
    second = _doc(page, code, key).locator("ul.files > li.file").nth(1)
    second.locator("details.replace > summary").click()
    replace = second.locator("form.replace-form")
    expect(replace.locator("button[type=submit]")).to_be_visible()
    replace.locator("input[type=file]").set_input_files(
        files=[_file("Daftar hadir (lengkap).pdf", "hadir lengkap")]
    )
    page.screenshot(path=artifacts / "evidence-nojs-replace-form-1280.png")
    with page.expect_navigation():
        replace.locator("button[type=submit]").click()
    expect(page.locator(".flash-success")).to_contain_text("1 berkas diunggah.")
    expect(_current_names(page, code, key)).to_have_text(
        ["Undangan rapat.pdf", "Daftar hadir (lengkap).pdf"]
    )
    current = _doc(page, code, key).locator("ul.files > li.file").nth(1)
    current.locator("details.older-versions > summary").click()
    expect(current.locator("details.older-versions a")).to_have_text("Daftar hadir.pdf")
    current.scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "evidence-nojs-replaced-1280.png")
    page.set_viewport_size({"width": 390, "height": 844})
    current.scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "evidence-nojs-replaced-390.png")
