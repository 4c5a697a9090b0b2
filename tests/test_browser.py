"""A person's path in a real browser: the real server (uvicorn on 127.0.0.1), Debian's
Chromium driven by Playwright. Screenshots go to var/screenshots/."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import uvicorn

from complaints.api.web import create_web_app
from complaints.app import App
from complaints.mail.sink import free_port
from complaints.services import automation, taking
from tests.factories import answer
from tests.web import survey_token

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SHOTS = Path(__file__).parents[1] / "var" / "screenshots"
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it)"
)


ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def server(fake_app: App) -> Iterator[str]:
    port = free_port()
    fake_app.settings.public_base_url = f"http://127.0.0.1:{port}"
    config = uvicorn.Config(
        create_web_app(fake_app), host="127.0.0.1", port=port, log_level="warning"
    )
    web = uvicorn.Server(config)
    thread = threading.Thread(target=web.run, daemon=True)
    thread.start()
    while not web.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    web.should_exit = True
    thread.join(10)


def test_form_submit_track_and_answer_the_survey(server: str, fake_app: App) -> None:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(locale="fr-FR")
        page.goto(server + "/")
        page.screenshot(path=str(SHOTS / "form.png"), full_page=True)
        page.click(
            "button[type=submit]"
        )  # empty: the browser-side `required` stops nothing (novalidate)
        assert page.locator("#name-error").is_visible()
        assert page.evaluate("document.activeElement.id") == "name"  # focus on the first error
        assert page.locator("#name-error").inner_text() == "Ce champ est obligatoire."
        page.screenshot(path=str(SHOTS / "form-errors.png"), full_page=True)
        page.fill("#name", "Marie Lefèvre")
        page.fill("#email", "marie@exemple.fr")
        page.fill("#subject", "Colis jamais livré")
        page.fill("#description", "Le transporteur dit que le colis est livré ; je n'ai rien reçu.")
        page.fill("#product", "Box Fibre")
        page.select_option("#region", label="Bretagne")  # a list of the code of conduct
        page.click("button[type=submit]")
        reference = page.locator("#reference").inner_text()
        assert reference.startswith("REC-")
        tracking = page.locator("#tracking-link").get_attribute("href")
        assert tracking
        page.goto(tracking)
        assert "Suivi de votre réclamation" in page.content()
        page.screenshot(path=str(SHOTS / "tracking.png"), full_page=True)

        at = datetime.now(UTC)
        for step in (automation.acknowledge, automation.start_analysis):
            taking.run_step(fake_app, step, [reference], at)
        answer(fake_app, reference, at)
        taking.run_step(fake_app, automation.send_survey, [reference], at + timedelta(days=8))
        page.goto(f"{server}/avis/{survey_token(fake_app, reference)}?satisfait=oui")
        assert page.is_checked("#choice-oui")  # the link only ticks the answer
        page.screenshot(path=str(SHOTS / "survey-question.png"), full_page=True)
        page.click("#confirm")
        assert "clôturée" in page.locator("#outcome").inner_text()
        page.screenshot(path=str(SHOTS / "survey.png"), full_page=True)
        page.goto(tracking)
        assert page.locator("#state").inner_text() == "clôturée"
        browser.close()


def test_api_docs_draw_without_a_cdn_and_without_a_policy_violation(server: str) -> None:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        complaints: list[str] = []
        page.on("console", lambda m: complaints.append(m.text) if m.type == "error" else None)
        elsewhere: list[str] = []
        page.on("request", lambda r: None if r.url.startswith(server) else elsewhere.append(r.url))
        page.goto(server + "/docs")
        page.locator(".opblock-summary").first.wait_for(timeout=15_000)
        assert page.locator(".opblock-summary").count() > 5  # the operations are drawn
        assert "complaints" in page.locator(".info .title").inner_text()
        page.locator(".opblock-summary").first.click()  # open one: its schema draws too
        page.locator(".opblock-body").first.wait_for(timeout=15_000)
        page.screenshot(path=str(SHOTS / "docs.png"), full_page=False)
        browser.close()
    assert elsewhere == [] and complaints == []
