"""Signing in to the served demo from a fresh browser context: one place for every e2e test."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

PASSWORD = "zona-integritas"


def sign_in(
    browser: Browser,
    base: str,
    username: str,
    *,
    width: int = 1280,
    javascript: bool = True,
    accept_dialogs: bool = False,
) -> Page:
    """A page of a new context (its own cookies) signed in as ``username``, on the home page.

    ``accept_dialogs`` answers every confirm() with OK (hand-offs ask before they go)."""
    context = browser.new_context(
        viewport={"width": width, "height": 900}, java_script_enabled=javascript
    )
    page = context.new_page()
    if accept_dialogs:
        page.on("dialog", lambda dialog: dialog.accept())
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button.btn-primary")
    expect(page.locator("h1")).to_contain_text("Selamat datang")
    return page
