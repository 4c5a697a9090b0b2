"""Duplicates: linked both ways, merged into a primary (the customer told, the e-mails not yet
sent cancelled, both references kept), the merge undone by a manager, likely duplicates
suggested. SQLite, and PostgreSQL when set (the tests on `any_app`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from complaints.api.web import create_web_app
from complaints.app import App, build_app
from complaints.errors import Conflict, Forbidden, Invalid, NotFound, RuleViolation
from complaints.lifecycle import Step, transition
from complaints.mail.sender import MemorySender
from complaints.models import Complaint
from complaints.services import automation, handling, intake, merging, staff, taking
from complaints.services.integrity import verify
from complaints.services.views import show
from complaints.settings import Settings
from tests.conftest import BACKENDS, simulated
from tests.conftest import intake as sample
from tests.factories import answer, outbox
from tests.web import csrf

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
OTHER = {"name": "Paul Martin", "email": "paul.martin@exemple.fr"}


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def any_app(database_url: str) -> Iterator[App]:
    """The fake app's parts on each backend: a simulated clock, an in-memory sender."""
    built = simulated(build_app(Settings(database_url=database_url), MemorySender()))
    yield built
    built.db.dispose()


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def received(app: App, at: datetime = T0, *, analysed: bool = True, **changes: Any) -> str:
    """A complaint received at `at`, acknowledged and triaged unless `analysed` is False."""
    reference = intake.receive(app=app, intake=sample(**changes), at=at).reference
    if analysed:
        for step in (automation.acknowledge, automation.start_analysis):
            taking.run_step(app, step, [reference], at)
    return reference


def actions(app: App, reference: str) -> list[str]:
    return [event["action"] for event in show(app=app, reference=reference)["history"]]


def stored(app: App, reference: str) -> Complaint:
    with app.db.reader() as session:
        complaint = session.query(Complaint).filter_by(reference=reference).one()
        session.expunge(complaint)
        return complaint


def merge(app: App, duplicate: str, primary: str, **extra: Any) -> str:
    return merging.merge(app=app, reference=duplicate, by="Camille", into=primary, **extra)


def test_link_relates_both_complaints_once(any_app: App) -> None:
    first = received(any_app)
    second = received(any_app, day(1), product="Forfait Mobile")
    merging.link(app=any_app, reference=first, by="Camille", other=second, at=day(2))
    assert show(app=any_app, reference=first)["related"] == [second]
    assert show(app=any_app, reference=second)["related"] == [first]
    assert actions(any_app, first)[-1] == actions(any_app, second)[-1] == "link"
    with pytest.raises(RuleViolation, match="already linked"):
        merging.link(app=any_app, reference=second, by="Alice", other=first, at=day(3))
    with pytest.raises(Invalid, match="itself"):
        merging.link(app=any_app, reference=first, by="Alice", other=first, at=day(3))
    with pytest.raises(NotFound):
        merging.link(app=any_app, reference=first, by="Alice", other="REC-2026-999999")


def test_link_confirms_what_triage_suggested(fake_app: App) -> None:
    first, second = received(fake_app), received(fake_app, day(1))
    assert show(app=fake_app, reference=second)["related"] == [first]  # triage's, one way
    merging.link(app=fake_app, reference=second, by="Camille", other=first, at=day(2))
    assert show(app=fake_app, reference=first)["related"] == [second]


def test_merge_closes_the_duplicate_and_keeps_both_references(any_app: App) -> None:
    primary, duplicate = received(any_app), received(any_app, day(1))
    assert merge(any_app, duplicate, primary, at=day(2)) == "closed"
    gone = stored(any_app, duplicate)
    assert (gone.closure_reason, gone.wake_at, gone.resume_state) == ("merged", None, "in_analysis")
    assert show(app=any_app, reference=duplicate)["merged_into"] == primary
    shown = show(app=any_app, reference=primary)
    assert shown["merged_into"] is None and actions(any_app, primary)[-1] == "merged_in"
    [merged] = shown["merged"]
    assert (merged["reference"], merged["subject"]) == (duplicate, "Colis jamais livré")
    assert "merge" in [e["action"] for e in merged["history"]]
    assert [m["kind"] for m in merged["emails"]][-1] == "closure"
    assert verify(app=any_app).breaks == []


def test_the_duplicates_customer_is_told_in_their_language(fake_app: App) -> None:
    primary = received(fake_app)
    french, english = received(fake_app, day(1)), received(fake_app, day(1), language="en")
    merge(fake_app, french, primary, at=day(2))
    merge(fake_app, english, primary, at=day(2))
    track = stored(fake_app, primary).tracking_token
    [fr] = outbox(fake_app, french, "closure")
    assert f"réunie à la réclamation {primary}" in fr.subject
    assert f"même sujet que la réclamation {primary}" in fr.text_body and track in fr.text_body
    assert "médiateur" not in fr.text_body and track in fr.html_body
    [en] = outbox(fake_app, english, "closure")
    assert f"joined to complaint {primary}" in en.subject and track in en.text_body
    assert f"same matter as complaint {primary}" in en.html_body


def test_another_customers_complaint_is_merged_only_when_confirmed(any_app: App) -> None:
    primary, duplicate = received(any_app), received(any_app, day(1), **OTHER)
    before = actions(any_app, duplicate)
    with pytest.raises(Conflict, match="confirm"):
        merge(any_app, duplicate, primary, at=day(2))
    assert (
        actions(any_app, duplicate) == before and stored(any_app, duplicate).state == "in_analysis"
    )
    merge(any_app, duplicate, primary, confirm=True, at=day(2))
    [told] = outbox(any_app, duplicate, "closure")
    assert primary in told.text_body
    assert stored(any_app, primary).tracking_token not in told.text_body + told.html_body
    assert verify(app=any_app).breaks == []


def test_the_duplicates_pending_emails_are_cancelled(fake_app: App) -> None:
    primary, duplicate = received(fake_app), received(fake_app, day(1))
    assert [m.status for m in outbox(fake_app, duplicate, "acknowledgement")] == ["pending"]
    merge(fake_app, duplicate, primary, at=day(2))
    assert [m.status for m in outbox(fake_app, duplicate, "acknowledgement")] == ["cancelled"]
    assert [m.status for m in outbox(fake_app, duplicate, "closure")] == ["pending"]


def test_merges_that_make_no_sense_are_refused(fake_app: App) -> None:
    primary, duplicate, third = received(fake_app), received(fake_app), received(fake_app)
    with pytest.raises(Invalid, match="itself"):
        merge(fake_app, duplicate, duplicate)
    with pytest.raises(NotFound):
        merge(fake_app, duplicate, "REC-2026-999999")
    merge(fake_app, duplicate, primary, at=day(1))
    with pytest.raises(RuleViolation, match="itself merged"):
        merge(fake_app, third, duplicate, at=day(2))
    with pytest.raises(RuleViolation, match="merged into it"):
        merge(fake_app, primary, third, at=day(2))
    with pytest.raises(Conflict, match="it is closed"):
        merge(fake_app, duplicate, third, at=day(2))


def test_the_duplicates_tracking_page_names_the_primary(fake_app: App) -> None:
    primary, mine = received(fake_app), received(fake_app)
    theirs = received(fake_app, language="en", **OTHER)
    merge(fake_app, mine, primary, at=day(1))
    merge(fake_app, theirs, primary, confirm=True, at=day(1))
    link = f"/suivi/{stored(fake_app, primary).tracking_token}"
    said = transition(Step.MERGE).customer  # the step's words on the tracking page
    with TestClient(create_web_app(fake_app)) as client:
        page = client.get(f"/suivi/{stored(fake_app, mine).tracking_token}").text
        assert f"réunie à la réclamation {primary}" in page and f'href="{link}"' in page
        assert said is not None and said("fr") in page
        page = client.get(f"/suivi/{stored(fake_app, theirs).tracking_token}").text
        assert f"joined to complaint {primary}" in page and link not in page
        assert said("en") in page


def test_a_manager_undoes_the_merge(any_app: App) -> None:
    primary, duplicate = received(any_app), received(any_app, day(1))
    before = stored(any_app, duplicate)
    merge(any_app, duplicate, primary, at=day(2))
    with pytest.raises(Forbidden):
        merging.unmerge(app=any_app, reference=duplicate, by="Camille", reason="x", at=day(3))
    state = merging.unmerge(
        app=any_app, reference=duplicate, by="Luc", reason="Deux colis distincts", at=day(3)
    )
    after = stored(any_app, duplicate)
    assert state == "in_analysis" and after.merged_into_id is None
    assert (after.closure_reason, after.closed_at, after.resume_state) == (None, None, None)
    assert (after.wake_at, after.answer_by) == (before.wake_at, before.answer_by)
    assert show(app=any_app, reference=primary)["merged"] == []
    assert actions(any_app, primary)[-1] == "merge_undone"
    [told] = outbox(any_app, duplicate, "unmerged")
    assert (
        f"réunie à la réclamation {primary}" in told.text_body and "au plus tard" in told.text_body
    )
    assert verify(app=any_app).breaks == []


def test_undoing_a_merge_that_was_not_made_is_refused(fake_app: App) -> None:
    reference = received(fake_app)
    with pytest.raises(Conflict, match="it is in_analysis"):
        merging.unmerge(app=fake_app, reference=reference, by="Luc", reason="x", at=day(1))
    answer(fake_app, reference, day(1))
    handling.close(app=fake_app, reference=reference, by="Luc", reason="Réglé", at=day(2))
    with pytest.raises(RuleViolation, match="not merged"):
        merging.unmerge(app=fake_app, reference=reference, by="Luc", reason="x", at=day(3))


def test_the_unmerged_notice_in_english_says_when_the_date_passed(fake_app: App) -> None:
    primary, duplicate = received(fake_app), received(fake_app, language="en")
    merge(fake_app, duplicate, primary, at=day(1))
    merging.unmerge(app=fake_app, reference=duplicate, by="Lea", reason="Erreur", at=day(40))
    [told] = outbox(fake_app, duplicate, "unmerged")
    assert "handled separately again" in told.subject and primary in told.html_body
    assert "has passed" in told.text_body


def test_likely_duplicates_are_the_same_customers_recent_ones(fake_app: App) -> None:
    first = received(fake_app)
    second = received(fake_app, day(2))
    received(fake_app, day(3), product="Forfait Mobile")
    received(fake_app, day(4), **OTHER)
    received(fake_app, day(40))
    assert show(app=fake_app, reference=first)["duplicates"] == [second]
    assert show(app=fake_app, reference=second)["duplicates"] == [first]
    merge(fake_app, second, first, at=day(41))
    assert show(app=fake_app, reference=first)["duplicates"] == []


def test_the_staff_api_merges_with_a_bearer_token(fake_app: App) -> None:
    token = {"Authorization": f"Bearer {staff.add(app=fake_app, name='Camille', role='agent')}"}
    now = datetime.now(UTC)
    primary, duplicate = received(fake_app, now), received(fake_app, now)
    other = received(fake_app, now, **OTHER)
    with TestClient(create_web_app(fake_app)) as client:
        url = "/api/staff/complaints/{}/merge"
        refused = client.post(url.format(other), headers=token, json={"into": primary})
        assert refused.status_code == 409 and "confirm" in refused.json()["detail"]
        done = client.post(url.format(duplicate), headers=token, json={"into": primary})
        assert done.status_code == 200 and done.json()["state"] == "closed"
        page = client.get(f"/api/staff/complaints/{primary}", headers=token).json()
        assert [d["reference"] for d in page["merged"]] == [duplicate]


def test_the_staff_page_shows_duplicates_and_merges(fake_app: App) -> None:
    first, second = received(fake_app, day(1)), received(fake_app, day(2))
    third = received(fake_app, day(3))
    merge(fake_app, third, first, at=day(4))
    token = staff.add(app=fake_app, name="Camille", role="agent")
    with TestClient(create_web_app(fake_app)) as client:
        login = client.get("/staff")
        client.post("/staff/login", data={"token": token, "csrf": csrf(login.text)})
        page = client.get(f"/staff/c/{first}?lang=fr").text
        assert "Doublons possibles" in page and f'href="/staff/c/{second}?lang=fr"' in page
        assert "Réclamations fusionnées dans celle-ci" in page and f'id="merged-{third}"' in page
        page = client.get(f"/staff/c/{third}?lang=en").text
        assert "Merged into" in page and f'href="/staff/c/{first}?lang=en"' in page


@pytest.fixture
def cli(tmp_path: Path):  # type: ignore[no-untyped-def]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("COMPLAINTS_")}
    environment["COMPLAINTS_DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.db'}"

    def complaints(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "complaints", *args],
            capture_output=True,
            text=True,
            env=environment,
            timeout=60,
        )

    assert complaints("staff", "add", "Camille", "--role", "agent").returncode == 0
    return complaints


def test_the_cli_merges(cli) -> None:  # type: ignore[no-untyped-def]
    submit = ["submit", "--name", "Marie", "--email", "marie@exemple.fr", "--subject", "Colis"]
    submit += ["--description", "Perdu.", "--product", "Box Fibre", "--region", "Bretagne"]
    primary, duplicate = (json.loads(cli(*submit, "--json").stdout)["reference"] for _ in "12")
    done = cli("merge", duplicate, "--into", primary, "--by", "Camille")
    assert done.returncode == 0, done.stderr
    assert f"{duplicate}: closed" in done.stdout
    shown = json.loads(cli("show", duplicate, "--json", "--by", "Camille").stdout)
    assert shown["merged_into"] == primary and shown["closure_reason"] == "merged"
