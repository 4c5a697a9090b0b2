"""A handler's morning in a real browser (Debian's Chromium, the real server): sign in, find a
complaint by searching, take it through analysis, an action and the answer; the queue, the
complaint and the dashboard in French and English at desktop and phone widths, screenshots
under var/screenshots/ (the README shows them)."""

from __future__ import annotations

from typing import Any

import pytest

from complaints.app import App
from complaints.services import staff, views
from tests.test_browser import ARGS, CHROMIUM, SHOTS, server  # noqa: F401 (the fixture)
from tests.workspace import morning

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it)"
)
DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 375, "height": 812}


def fits(page: Any) -> None:
    """Nothing wider than the screen: no sideways scrolling on a phone."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], (page.url, width)


def shoot(page: Any, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_handlers_morning(server: str, fake_app: App) -> None:  # noqa: F811
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    references = morning(fake_app)
    token = staff.add(app=fake_app, name="Camille", role="agent")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(locale="fr-FR", viewport=DESKTOP)
        page.goto(server + "/staff")
        page.fill("#token", token)
        page.keyboard.press("Enter")
        page.wait_for_selector("#queue")
        assert page.evaluate("document.activeElement.id") == "q"  # type at once to search
        assert "Toutes (30)" in page.inner_text("main")
        shoot(page, "staff-queue-fr")
        fits(page)

        page.keyboard.type("haddad")
        page.keyboard.press("Enter")
        page.wait_for_url("**q=haddad**")
        found = page.locator("#queue tbody tr")
        assert found.count() == 5 and "Karim Haddad" in found.first.inner_text()
        reference = found.first.locator("a").inner_text()
        assert reference in references
        found.first.locator("a").click()

        page.wait_for_selector("#step-analysis[open]")  # the first step the state allows
        page.fill("#root_cause", "Le dépôt a mal trié le colis.")
        page.select_option("#category", label="Livraison")
        page.click("#step-analysis button[type=submit]")
        assert page.locator("[role=status]").inner_text() == "Enregistré."
        assert "analysée" in page.inner_text("#state")

        assert page.locator("#step-actions[open]").count() == 1  # the next step, unfolded
        assert page.locator("#step-analysis[open]").count() == 0
        page.fill("#actions-description", "Nouvel envoi en express")
        assert page.input_value("#actions-owner") == "Camille"  # defaults: the member…
        assert page.input_value("#actions-due_on")  # …and a date before the answer is due
        page.click("#step-actions button[type=submit]")
        assert "Nouvel envoi en express" in page.inner_text("#actions")

        page.wait_for_selector("#step-response[open]")
        answer = page.input_value("#message")
        assert answer.startswith("Bonjour Karim Haddad,") and reference in answer
        page.fill("#message", answer.replace("…", "un geste commercial de 20 €"))
        page.click("#step-response button[type=submit]")
        assert "réponse envoyée" in page.inner_text("#state")
        shoot(page, "staff-complaint-fr")
        fits(page)
        history = page.inner_text("#history")
        assert "Analyse enregistrée" in history or "analyse" in history.lower()
        assert "record_analysis" not in history and "staff:" not in history
        assert views.show(app=fake_app, reference=reference)["state"] == "answered"

        page.goto(f"{server}/staff/tableau")
        assert "Engagements" in page.inner_text("body")
        shoot(page, "staff-dashboard-fr")
        fits(page)

        for lang in ("fr", "en"):
            for size, suffix in ((DESKTOP, ""), (PHONE, "-phone")):
                page.set_viewport_size(size)
                for name, url in (
                    ("queue", f"/staff?lang={lang}"),
                    ("complaint", f"/staff/c/{reference}?lang={lang}"),
                    ("dashboard", f"/staff/tableau?lang={lang}"),
                ):
                    page.goto(server + url)
                    fits(page)
                    if (lang, suffix) != ("fr", ""):
                        shoot(page, f"staff-{name}-{lang}{suffix}")
        assert "Open complaints" in page.goto(f"{server}/staff?lang=en").text()  # type: ignore[union-attr]
        browser.close()
