"""Issue 14 §6: every main page of every role is usable on a phone, 390 px wide.

Each page is opened at 390×844 in Chromium and must not scroll sideways: the page's own width
(``document.documentElement.scrollWidth``) stays within the screen. A wide table may scroll
inside its own box; that does not widen the page. The pages only read the demo, so the other
browser tests may change the demo units in the same run.

Screenshots of the home page, the LKE area page, a reviewer's LKE page, the comparison and the
review queue at 390 px and at 1280 px land in tests/e2e/artifacts/ (``phone-*.png``,
``wide-*.png``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import create_engine, text

from tests.e2e.conftest import LiveApp

pytestmark = pytest.mark.e2e
PASSWORD = "zona-integritas"
PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1280, "height": 900}


def _ids(app: LiveApp) -> dict[str, int | str]:
    """The demo's enrolments, units, users and a certificate, by what the pages need."""
    engine = create_engine(app.env["DATABASE_URL"])
    try:
        with engine.connect() as db:
            enrolments = dict(
                db.execute(
                    text("SELECT u.name, e.id FROM enrolments e JOIN units u ON u.id = e.unit_id")
                ).all()
            )
            units = dict(db.execute(text("SELECT name, id FROM units")).all())
            users = dict(db.execute(text("SELECT username, id FROM users")).all())
            number = db.execute(text("SELECT number FROM certificates LIMIT 1")).scalar_one()
            cycle = db.execute(text("SELECT max(id) FROM cycles")).scalar_one()
            agency = db.execute(  # issue 16 §3: the agency's units by year
                text("SELECT agency_id FROM units WHERE name = 'Polres Metro Bekasi'")
            ).scalar_one()
    finally:
        engine.dispose()
    return {
        "building": enrolments["Polres Metro Bekasi"],
        "preliminary": enrolments["Polres Metro Depok"],
        "proposed": enrolments["Polres Metro Tangerang Kota"],
        "bekasikota": units["Polres Metro Bekasi Kota"],
        "metrobekasi": units["Polres Metro Bekasi"],
        "pokja": users["pokja.bekasikota"],
        "certificate": number,
        "cycle": cycle,
        "agency": agency,
    }


def _pages(ids: dict[str, int | str]) -> dict[str, list[tuple[str, str]]]:
    """Per account: (name, path) of its main pages."""
    building, preliminary, proposed = ids["building"], ids["preliminary"], ids["proposed"]
    return {
        "koordinator.bekasikota": [
            ("home", "/"),
            ("unit", f"/units/{ids['bekasikota']}/zi"),
            ("agencies", "/agencies"),
        ],
        "koordinator.metrobekasi": [
            ("unit-building", f"/units/{ids['metrobekasi']}/zi"),
            ("enrolment", f"/enrolments/{building}"),
            ("lke", f"/enrolments/{building}/lke?area=1"),
            ("lke-hasil", f"/enrolments/{building}/lke?area=B"),
            ("compare-building", f"/enrolments/{building}/compare"),
            ("carried", f"/enrolments/{building}/carried"),  # issue 16 §3
            ("years", f"/units/{ids['metrobekasi']}/years"),
        ],
        "pokja.bekasikota": [("home", "/"), ("unit", f"/units/{ids['bekasikota']}/zi")],
        "penilai.poldametro": [
            ("home", "/"),
            ("queue", "/review/queue"),
            ("workload", "/review/workload"),  # the lead of Polda Metro Jaya's assessors
            ("review", f"/enrolments/{preliminary}/lke"),
            ("enrolment", f"/enrolments/{preliminary}"),
            ("audit", f"/enrolments/{preliminary}/audit"),
        ],
        "tpi.polri": [
            ("home", "/"),
            ("dashboard", "/dashboard"),
            ("queue", "/review/queue"),
            ("compare", f"/enrolments/{proposed}/compare"),
        ],
        "tpn": [
            ("home", "/"),
            ("queue", "/review/queue"),
            ("dashboard", "/dashboard"),
            ("cycles", "/cycles"),
            ("cycle", f"/cycles/{ids['cycle']}"),
            ("certificates", "/certificates"),
            ("lke", f"/enrolments/{proposed}/lke"),
            ("compare", f"/enrolments/{proposed}/compare"),
            ("summary", f"/enrolments/{proposed}"),
        ],
        "pimpinan.polri": [
            ("home", "/"),
            ("dashboard", "/dashboard"),
            ("summary", f"/enrolments/{proposed}"),
            ("prerequisites", f"/enrolments/{proposed}/prerequisites"),
            ("certificates", "/certificates"),
            ("agency-years", f"/agencies/{ids['agency']}/years"),  # issue 16 §3
        ],
        "admin": [
            ("home", "/"),
            ("users", "/admin/users"),
            ("user", f"/admin/users/{ids['pokja']}"),
            ("settings", "/admin/settings"),
            ("cycles", "/cycles"),
            ("designations", "/designations"),
            ("certificates", "/certificates"),
            ("certificate", f"/certificates/{ids['certificate']}"),
            ("audit", f"/enrolments/{proposed}/audit"),
            ("agencies", "/agencies"),
        ],
        "anonymous": [
            ("login", "/login"),
            ("registry", "/registry"),
            ("verify", f"/verify/{ids['certificate']}"),
        ],
    }


# (account, page name) -> screenshot name, at both widths.
SHOTS = {
    ("koordinator.bekasikota", "home"): "home",
    ("koordinator.metrobekasi", "lke"): "lke",
    ("penilai.poldametro", "review"): "review",
    ("tpi.polri", "compare"): "compare",
    ("tpn", "queue"): "queue",
}


def _signed_in(browser: Browser, base: str, username: str, viewport: dict) -> Page:
    page = browser.new_context(viewport=viewport).new_page()
    if username != "anonymous":
        page.goto(base + "/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("form button.btn-primary")
        expect(page.locator("h1")).to_contain_text("Selamat datang")
    return page


def _overflow(page: Page) -> list[str]:
    """Elements reaching past the screen's right edge outside any box that scrolls them."""
    return page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth, out = [];
          for (const el of document.body.querySelectorAll('*')) {
            const box = el.getBoundingClientRect();
            if (box.width === 0 || box.right <= width + 1) continue;
            let up = el.parentElement, clipped = false;
            while (up && up !== document.body) {
              const o = getComputedStyle(up).overflowX;
              if (o === 'auto' || o === 'scroll' || o === 'hidden') { clipped = true; break; }
              up = up.parentElement;
            }
            const name = `${el.tagName.toLowerCase()}.${el.className}`;
            if (!clipped) out.push(`${name} → ${Math.round(box.right)}px`);
          }
          return out.slice(0, 10);
        }"""
    )


@pytest.fixture(scope="module")
def pages(live_app: LiveApp) -> dict[str, list[tuple[str, str]]]:
    return _pages(_ids(live_app))


@pytest.mark.parametrize(
    "username",
    [
        "koordinator.bekasikota",
        "koordinator.metrobekasi",
        "pokja.bekasikota",
        "penilai.poldametro",
        "tpi.polri",
        "tpn",
        "pimpinan.polri",
        "admin",
        "anonymous",
    ],
)
def test_no_page_scrolls_sideways_on_a_phone(
    browser: Browser, live_server: str, artifacts: Path, pages, username: str
) -> None:
    phone = _signed_in(browser, live_server, username, PHONE)
    wide: Page | None = None
    too_wide = []
    for name, path in pages[username]:
        response = phone.goto(live_server + path)
        assert response is not None and response.status == 200, (username, path)
        assert phone.evaluate("document.documentElement.clientWidth") == 390
        width = phone.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            too_wide.append(f"{name} {path}: {width}px wide; {_overflow(phone)}")
        shot = SHOTS.get((username, name))
        if shot:
            phone.screenshot(path=artifacts / f"phone-{shot}.png")
            wide = wide or _signed_in(browser, live_server, username, WIDE)
            wide.goto(live_server + path)
            assert wide.evaluate("document.documentElement.scrollWidth") <= WIDE["width"]
            wide.screenshot(path=artifacts / f"wide-{shot}.png")
    assert not too_wide, "\n".join(too_wide)
    phone.context.close()
    if wide:
        wide.context.close()


def test_the_menu_wraps_and_stays_usable_on_a_phone(browser: Browser, live_server: str) -> None:
    """The header's menu wraps onto lines of its own: every entry is on screen and clickable."""
    page = _signed_in(browser, live_server, "admin", PHONE)
    links = page.locator("nav.mainnav a")
    assert links.count() >= 6
    for i in range(links.count()):
        box = links.nth(i).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    links.filter(has_text="Pengguna").click()
    expect(page.locator("h1")).to_have_text("Pengguna")
    page.context.close()


def test_the_queue_stacks_its_rows_on_a_phone(browser: Browser, live_server: str) -> None:
    """The review queue's columns are not cut off: each row becomes a card of labelled lines."""
    page = _signed_in(browser, live_server, "tpn", PHONE)
    page.goto(live_server + "/review/queue")
    cell = page.locator("table.stack tbody tr").first.locator("td[data-label]").first
    label = cell.evaluate("td => getComputedStyle(td, '::before').content")
    assert label.strip('"') == cell.get_attribute("data-label")
    box = cell.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390
    page.context.close()
