"""Choosing a standard answer in a real browser: it fills the answer's text and decision in
place, so what the handler typed in the page's other forms stays; text they changed is
replaced only once they confirm, in the page's language."""

from __future__ import annotations

from typing import Any

import pytest

from complaints.app import App
from complaints.services import handling, staff
from tests.test_browser import ARGS, CHROMIUM, server  # noqa: F401 (the fixture)
from tests.workspace import morning

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it)"
)
ASKED = "Remplacer le texte que vous avez saisi par cette réponse type ?"
REFUSED = "nous ne pouvons pas y donner une suite favorable"


def analysed(app: App) -> str:
    """Marie Lefèvre's parcel, analysed: the answer form offers the delivery answers."""
    reference = morning(app)[0]
    handling.record_analysis(
        app=app,
        reference=reference,
        by="Camille",
        root_cause="Erreur de tri",
        category="delivery",
        founded=True,
    )
    return reference


def signed_in(context: Any, server: str, app: App) -> Any:  # noqa: F811
    page = context.new_page()
    page.goto(server + "/staff")
    page.fill("#token", staff.add(app=app, name="Camille", role="agent"))
    page.keyboard.press("Enter")
    page.wait_for_selector("#queue")
    return page


def test_a_standard_answer_fills_the_form_in_place(server: str, fake_app: App) -> None:  # noqa: F811
    from playwright.sync_api import sync_playwright

    reference = analysed(fake_app)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = signed_in(browser.new_context(locale="fr-FR"), server, fake_app)
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        asked: list[str] = []
        confirm = {"yes": False}

        def answer(dialog: Any) -> None:
            asked.append(dialog.message)
            dialog.accept() if confirm["yes"] else dialog.dismiss()

        page.on("dialog", answer)
        page.goto(f"{server}/staff/c/{reference}")
        url = page.url
        page.fill("#actions-description", "Nouvel envoi en express")  # another form's typing
        page.evaluate("document.getElementById('step-response').open = true")
        first = page.input_value("#message")
        assert first.startswith("Bonjour Marie Lefèvre,") and REFUSED not in first
        assert page.input_value("#decision") == "accepted"

        page.fill("#message", first + "\nUn geste commercial de 20 €.")
        page.click("a[data-answer=refusee]")
        assert asked == [ASKED]  # typed text is not replaced without asking…
        assert page.input_value("#message").endswith("20 €.")  # …and stays when refused

        confirm["yes"] = True
        page.click("a[data-answer=refusee]")
        assert len(asked) == 2 and REFUSED in page.input_value("#message")
        assert page.input_value("#decision") == "rejected"  # a standard refusal is a refusal
        assert page.get_attribute("a[data-answer=refusee]", "aria-current") == "true"
        assert page.url == url  # no reload: the other form keeps what was typed
        assert page.input_value("#actions-description") == "Nouvel envoi en express"

        page.click("a[data-answer=livraison-acceptee]")  # untouched text: replaced at once
        assert len(asked) == 2 and page.input_value("#message") == first
        assert page.input_value("#decision") == "accepted"
        assert errors == []  # the script loads under the pages' policy (no inline script)
        browser.close()


def test_without_the_script_the_link_still_chooses(server: str, fake_app: App) -> None:  # noqa: F811
    from playwright.sync_api import sync_playwright

    reference = analysed(fake_app)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(locale="fr-FR", java_script_enabled=False)
        page = signed_in(context, server, fake_app)
        page.goto(f"{server}/staff/c/{reference}")
        page.click("#step-response summary")
        page.click("a[data-answer=refusee]")
        assert "answer=refusee" in page.url and REFUSED in page.input_value("#message")
        browser.close()
