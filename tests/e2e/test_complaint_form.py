"""The public complaint form in a real browser (issue 17 §2), at phone width and without
JavaScript, as a person who scanned the QR code of Polres Metro Bekasi Kota's piagam: the
verification page shows the complaints' counts (the demo's resolved one) and leads to the form.
A script's attempts are refused (the hidden field filled, the form sent at once), a person's
complaint is accepted, and the address that keeps sending meets the rate limit. Screenshots at
390 px land in tests/e2e/artifacts/ (``complaint-*``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tracker.complaints import rules

pytestmark = pytest.mark.e2e
TEXT = "Loket SKCK tutup sebelum jam layanan yang tertulis di papan pengumuman."


def test_a_person_complains_and_scripts_are_refused(
    browser: Browser, live_server: str, artifacts: Path
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/registry?q=Polres+Metro+Bekasi+Kota")
    page.locator("a.mono").first.click()
    counts = page.locator("section.complaint-counts")
    expect(counts).to_contain_text("Selesai")
    expect(counts).not_to_contain_text("Satpas")  # never the complaint's text
    counts.get_by_role("link").click()
    expect(page.locator("h1")).to_contain_text("Polres Metro Bekasi Kota")
    assert page.locator("input[name=website]").is_hidden()
    sent = 0

    def send() -> None:
        nonlocal sent
        page.locator("main form button[type=submit]").click()
        sent += 1

    # A script fills every field it finds, the hidden one too: refused.
    page.select_option("select[name=category]", "service_quality")
    page.fill("textarea[name=description]", TEXT)
    page.locator("input[name=website]").evaluate("field => field.value = 'http://spam.example'")
    send()
    expect(page.locator(".flash-error")).to_contain_text("Pengaduan tidak dapat diterima.")
    # Sent the moment it was shown: refused too.
    send()
    expect(page.locator(".flash-error")).to_contain_text("terlalu cepat")
    page.screenshot(path=artifacts / "complaint-refused.png", full_page=True)
    # A person reads, writes and sends after a few seconds: accepted.
    page.wait_for_timeout((rules.MIN_FORM_SECONDS + 0.5) * 1000)
    send()
    expect(page.locator("main")).to_contain_text("Terima kasih")
    page.screenshot(path=artifacts / "complaint-sent.png", full_page=True)
    # The same address keeps sending: the limit answers.
    page.get_by_role("link", name="Kirim pengaduan lain").click()
    page.fill("textarea[name=description]", TEXT)
    while sent < rules.PUBLIC_FORM_PER_MINUTE:
        send()
        expect(page.locator(".flash-error, .field-error").first).to_be_visible()
    send()
    expect(page.locator("main")).to_contain_text("Terlalu banyak pengaduan")
    context.close()
