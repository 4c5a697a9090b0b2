"""The operator's view, as Prefect's own UI draws it after the demo: the runs, the events
feed, a complaint's flow run and the backlog artifact, in Chromium; screenshots under
var/screenshots/ (the README shows them) and each page's text, for the privacy checks."""

from __future__ import annotations

import re

from tests.test_browser import ARGS, CHROMIUM, SHOTS

WAIT_MS = 60_000  # the UI is an application: it draws after its API calls answer


def pages(ui: str, trace: str) -> dict[str, str]:
    """Each page's visible text by name ({} without Chromium); a page that never drew the
    text it should show fails the test with its name."""
    if CHROMIUM is None:
        return {}
    from playwright.sync_api import sync_playwright

    run = re.search(r"/runs/flow-run/([0-9a-f-]{36})", trace)
    wanted = {
        "runs": ("/runs", "REC-"),
        "events": ("/events", "complaint."),
        "backlog": ("/artifacts/key/complaints-waiting", "complaints-waiting"),
    }
    if run:
        wanted["flow-run"] = (f"/runs/flow-run/{run.group(1)}", "REC-")
    SHOTS.mkdir(parents=True, exist_ok=True)
    texts: dict[str, str] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        for name, (path, mark) in wanted.items():
            page.goto(ui + path)
            try:
                page.wait_for_function(
                    f"document.body.innerText.includes({mark!r})", timeout=WAIT_MS
                )
            except Exception as error:  # say which page, and keep what it drew
                page.screenshot(path=str(SHOTS / f"prefect-{name}-failed.png"))
                raise AssertionError(f"Prefect's UI {path} never showed {mark!r}") from error
            page.wait_for_timeout(1500)  # the rest of the page's calls
            if name == "events":  # Prefect's own events come first: show a complaint's
                page.get_by_text(
                    re.compile(r"^complaint\.[a-z-]+$")
                ).first.scroll_into_view_if_needed()
            page.screenshot(path=str(SHOTS / f"prefect-{name}.png"), full_page=False)
            texts[name] = page.inner_text("body")
        browser.close()
    return texts
