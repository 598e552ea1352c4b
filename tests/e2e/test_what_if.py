"""Issue 16 §1 in a real browser: "what if" changes the score live and saves nothing.

Polres Metro Bekasi's coordinator opens "Coba jawaban tanpa menyimpan" at phone width (390 px,
no sideways scroll), picks other answers, and sees the total change without posting the page;
the LKE afterwards still holds the stored answers. A screenshot lands in tests/e2e/artifacts/.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.browser import sign_in

pytestmark = pytest.mark.e2e


def test_what_if_scores_live_and_saves_nothing(
    browser: Browser, live_server: str, artifacts: Path
) -> None:
    page = sign_in(browser, live_server, "koordinator.metrobekasi", width=390)
    page.locator("table").get_by_role("link", name="Polres Metro Bekasi", exact=True).click()
    href = page.get_by_role("link", name="LKE & bukti").get_attribute("href") or ""
    lke = live_server + href.split("?")[0]
    page.goto(lke + "/unit/what-if")
    total = page.locator(".what-if-total")
    before = total.inner_text()
    area = page.locator("details.what-if-area").first
    area.locator("summary").click()
    selects = area.locator("select")
    stored = selects.evaluate_all("ss => ss.map(s => s.value)")
    # Two answers of the area changed to another option: the score changes, live.
    for n in range(2):
        select = selects.nth(n)
        options = select.locator("option").evaluate_all("os => os.map(o => o.value)")
        select.select_option(next(o for o in options if o and o != stored[n]))
    expect(total).not_to_have_text(before)
    assert page.url.endswith("/lke/unit/what-if")  # no page was posted
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=artifacts / "what-if-390.png", full_page=False)
    # Nothing was saved: the what-if page opened afresh shows the stored answers and score.
    page.goto(lke + "/unit/what-if")
    expect(page.locator(".what-if-total")).to_have_text(before)
    fresh = page.locator("details.what-if-area").first.locator("select")
    assert fresh.evaluate_all("ss => ss.map(s => s.value)") == stored
