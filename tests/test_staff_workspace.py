"""The staff workspace through the real web app: the queue (order, quick filters and their
counts, search, filters, pages), the complaint page in words, standard answers."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from complaints import answer_templates
from complaints.api.web import create_web_app
from complaints.app import App, build_app
from complaints.lifecycle import TRANSITIONS, Role
from complaints.mail.sender import MemorySender
from complaints.services import delivery, handling, queue, staff, views
from complaints.settings import Settings
from complaints.staff_steps import open_steps
from complaints.templating import strings
from tests.conftest import BACKENDS, simulated
from tests.factories import answer
from tests.web import csrf
from tests.workspace import morning

REFERENCE = re.compile(r'<td data-label="[^"]+"[^>]*><a href="/staff/c/(REC-\d{4}-\d{6})')


@pytest.fixture
def desk(fake_app: App) -> Iterator[tuple[TestClient, list[str]]]:
    references = morning(fake_app)
    token = staff.add(app=fake_app, name="Camille", role="agent")
    with TestClient(create_web_app(fake_app)) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        yield client, references


def listed(client: TestClient, query: str = "") -> list[str]:
    page = client.get(f"/staff?{query}")
    assert page.status_code == 200, page.text
    return REFERENCE.findall(page.text)


def count(client: TestClient, view: str, query: str = "") -> int:
    found = re.search(rf'id="view-{view}">[^(<]+\((\d+)\)', client.get(f"/staff?{query}").text)
    assert found, view
    return int(found.group(1))


def test_the_queue_is_most_urgent_first_a_page_at_a_time(
    fake_app: App, desk: tuple[TestClient, list[str]]
) -> None:
    client, references = desk
    first, second = listed(client), listed(client, "page=2")
    assert len(first) == queue.PAGE and len(second) == 30 - queue.PAGE
    assert set(first + second) == set(references)
    assert listed(client, "page=9") == second  # past the last page: the last page
    rows = [views.show(app=fake_app, reference=r) for r in first + second]
    late = [r["overdue"] for r in rows]
    assert any(late) and not all(late)
    assert late == sorted(late, reverse=True)  # every overdue complaint before the others
    on_time = [r for r in rows if not r["overdue"]]
    assert on_time[0]["needs_attention"]  # then the one that needs attention
    assert not any(r["needs_attention"] for r in on_time[1:])
    due = [
        r["acknowledge_by"] if r["acknowledged_at"] is None else r["answer_by"] for r in on_time[1:]
    ]
    assert due == sorted(due)  # then by the date of the promise that runs now


def test_quick_filters_count_what_they_show(
    fake_app: App, desk: tuple[TestClient, list[str]]
) -> None:
    client, references = desk
    every = [views.show(app=fake_app, reference=r) for r in references]
    expected = {
        "all": len(every),
        "mine": sum(r["assignee"] == "Camille" for r in every),
        "unassigned": sum(r["assignee"] is None for r in every),
        "overdue": sum(r["overdue"] for r in every),
        "attention": sum(r["needs_attention"] for r in every),
    }
    assert 0 < expected["mine"] < expected["all"] and 0 < expected["overdue"] < expected["all"]
    for view, number in expected.items():
        assert count(client, view) == number, view
        shown = listed(client, f"view={view}") + listed(client, f"view={view}&page=2")
        assert len(set(shown)) == min(number, 30), view
    assigned = views.show(app=fake_app, reference=references[0])["assignee"]
    page = client.get(f"/staff/c/{references[0]}").text
    assert f"— Luc — Attribuée — «\u00a0{assigned}\u00a0»" in page  # to whom, in the history
    mine = listed(client, "view=mine")
    assert all(views.show(app=fake_app, reference=r)["assignee"] == "Camille" for r in mine)


def test_search_by_reference_name_or_address_and_filters(
    fake_app: App, desk: tuple[TestClient, list[str]]
) -> None:
    client, references = desk
    assert listed(client, f"q={references[7].lower()}") == [references[7]]
    haddad = listed(client, "q=HADDAD")  # any case
    assert haddad and all(
        views.show(app=fake_app, reference=r)["complainant"]["name"] == "Karim Haddad"
        for r in haddad
    )
    assert set(listed(client, "q=sophie.b@exemple")) == {
        r
        for r in references
        if views.show(app=fake_app, reference=r)["complainant"]["name"] == "Sophie Bernard"
    }
    assert listed(client, "q=personne-inconnue") == []
    assert "Aucune réclamation ouverte ne répond à ces critères." in client.get("/staff?q=zz").text
    # Counts follow the search: the quick filters count within it.
    assert count(client, "all", "q=haddad") == len(haddad)
    for query, field, value in (
        ("channel=email", "channel", "email"),
        ("product=T%C3%A9l%C3%A9vision", "product", "Télévision"),
        ("region=Occitanie", "region", "Occitanie"),
        ("state=received", "state", "received"),
    ):
        found = listed(client, query)
        assert found, query
        assert all(views.show(app=fake_app, reference=r)[field] == value for r in found), query


@pytest.mark.parametrize("query", ["state=in-analysis", "view=everything", "page=0", "channel=fax"])
def test_a_bad_filter_is_a_clear_page_not_an_empty_list(
    desk: tuple[TestClient, list[str]], query: str
) -> None:
    client, _ = desk
    page = client.get(f"/staff?{query}")
    assert page.status_code == 422
    assert "Traceback" not in page.text and "<!DOCTYPE html>" in page.text
    assert strings(Path("templates"))["fr"]["errors"]["invalid_query"] in html.unescape(page.text)
    assert "Revenir aux réclamations ouvertes" in page.text  # back to the queue, not the form


def test_the_complaint_page_says_everything_in_words(
    fake_app: App, desk: tuple[TestClient, list[str]]
) -> None:
    client, references = desk
    reference = references[10]
    answer(fake_app, reference, datetime.now(UTC))
    for lang, words in (
        ("fr", ("Analyse de Camille", "Réponses envoyées", "Fondée")),
        ("en", ("Analysis by Camille", "Answers sent", "Founded")),
    ):
        page = client.get(f"/staff/c/{reference}?lang={lang}").text
        for said in words:
            assert said in page, (lang, said)
        history = page[page.index('id="history"') :]
        for code in (
            "record_analysis",
            "plan_actions",
            "staff:",
            "system:",
            "in_analysis",
            "awaiting_feedback",
        ):
            assert code not in history, (lang, code)
        assert "Nouvel envoi en express" in page and "Voici notre réponse." in page
        assert "Recevoir le colis." in page  # what the customer wants
        if lang == "en":  # the deadlines explained, and quotes, in the member's language
            assert "calendar days" in page and "calendaires" not in page
            assert "“Nouvel envoi en express”" in page
    mail = re.compile(r"Réponse</td>.*?<span class=\"tag[^\"]*\">([^<]+)</span>", re.S)
    assert mail.findall(html.unescape(client.get(f"/staff/c/{reference}").text)) == [
        "en attente d'envoi"
    ]
    asyncio.run(delivery.deliver(app=fake_app, references=[reference], at=datetime.now(UTC)))
    assert mail.findall(html.unescape(client.get(f"/staff/c/{reference}").text)) == ["remis"]


def test_only_the_steps_this_member_may_take_now(
    fake_app: App, desk: tuple[TestClient, list[str]]
) -> None:
    client, references = desk
    reference = references[3]
    page = client.get(f"/staff/c/{reference}").text
    shown = re.findall(r'action="/staff/c/[^/]+/([a-z-]+)\?', page)
    allowed = [s.key for s in open_steps(app=fake_app, reference=reference, role=Role.AGENT)]
    assert shown == allowed and "analysis" in shown and "assign" not in shown
    manager = staff.add(app=fake_app, name="Luc2", role="manager")
    page = client.get(f"/staff/c/{reference}", headers={"Authorization": f"Bearer {manager}"})
    assert {"assign", "escalate"} <= set(
        re.findall(r'action="/staff/c/[^/]+/([a-z-]+)\?', page.text)
    )


def test_the_answer_starts_from_a_standard_answer_in_the_customers_language(
    fake_app: App, desk: tuple[TestClient, list[str]]
) -> None:
    client, references = desk
    reference = references[0]  # Marie Lefèvre's parcel: a delivery complaint, analysed
    handling.record_analysis(
        app=fake_app,
        reference=reference,
        by="Camille",
        root_cause="Erreur de tri",
        category="delivery",
        founded=True,
    )
    page = client.get(f"/staff/c/{reference}").text
    assert "Bonjour Marie Lefèvre," in page and f"réclamation {reference}" in page
    assert "« Colis jamais livré »" in page.replace("\u00a0", " ")
    refused = client.get(f"/staff/c/{reference}?answer=refusee").text
    assert "nous ne pouvons pas y donner une suite favorable" in refused
    assert '<option value="rejected" selected>' in refused
    assert '<option value="accepted" selected>' in page
    english = fake_app.settings.home / "templates"
    offered = answer_templates.offered(english, "en", "delivery")
    assert [a.key for a in offered][:1] == ["delivery-accepted"]
    assert "Dear Jo," in offered[0].filled("en", name="Jo", reference="R", subject="S")


def test_a_broken_answers_file_says_where(tmp_path: Path) -> None:
    (tmp_path / "answers.toml").write_text('[[fr]]\nkey = "Bad Key"\ntitle = "x"\n', "utf-8")
    with pytest.raises(answer_templates.AnswersError, match=r"answers\.toml"):
        answer_templates.load(tmp_path)
    (tmp_path / "answers.toml").write_text(
        '[[fr]]\nkey = "a"\ntitle = "A"\ncategory = "*"\ndecision = "*"\ntext = "{name} {other}"\n',
        "utf-8",
    )
    (only,) = answer_templates.load(tmp_path)["fr"]
    assert only.filled("fr", name="Jo") == "Jo {other}"  # nothing but the three facts is read


def test_every_action_of_the_history_has_its_words() -> None:
    src = Path(__file__).parents[1] / "src" / "complaints"
    actions = set()
    for path in src.rglob("*.py"):
        actions |= set(re.findall(r'action="([a-z_]+)"', path.read_text("utf-8")))
    assert "email_sent" in actions and "received" in actions
    for lang in ("fr", "en"):
        known = strings(src.parents[1] / "templates")[lang]["timeline"]["actions"]
        missing = sorted(a for a in actions if a not in known and a not in TRANSITIONS)
        assert missing == [], lang


def test_doctor_reads_the_standard_answers(tmp_path: Path) -> None:
    good = answer_templates.check(
        Path("templates"), ["delivery", "billing", "product_quality", "service", "safety", "other"]
    )
    assert good[0] and "7 in fr" in good[1]
    (tmp_path / "answers.toml").write_text(
        '[[fr]]\nkey = "a"\ntitle = "A"\ncategory = "garantie"\ndecision = "*"\ntext = "x"\n',
        "utf-8",
    )
    assert answer_templates.check(tmp_path, ["delivery"]) == (
        False,
        "answers.toml names categories the code of conduct lacks: garantie",
    )


def step(client: TestClient, reference: str, key: str, **fields: str) -> Any:
    page = client.get(f"/staff/c/{reference}").text
    return client.post(
        f"/staff/c/{reference}/{key}",
        data={**fields, "csrf": csrf(page)},
        follow_redirects=False,
    )


def test_a_step_redirects_so_that_reloading_never_takes_it_twice(
    fake_app: App, desk: tuple[TestClient, list[str]]
) -> None:
    client, references = desk
    reference = references[5]
    taken = step(
        client, reference, "analysis", root_cause="Tri", category="delivery", founded="yes"
    )
    assert taken.status_code == 303
    assert taken.headers["location"] == f"/staff/c/{reference}?lang=fr&done=analysis"
    done = client.get(taken.headers["location"]).text
    assert "Enregistré." in done and 'id="step-actions" open' in done  # the next step, open
    client.get(taken.headers["location"])  # a reload: a GET, nothing taken again
    history = [e["action"] for e in views.show(app=fake_app, reference=reference)["history"]]
    assert history.count("record_analysis") == 1


def test_a_refused_step_says_why_in_the_members_words_and_keeps_what_was_typed(
    fake_app: App, desk: tuple[TestClient, list[str]]
) -> None:
    client, references = desk
    reference = references[5]
    blank = step(client, reference, "analysis", root_cause="   ", category="billing", founded="no")
    assert blank.status_code == 422
    page = html.unescape(blank.text)
    assert "Ce champ est obligatoire." in page and "must not" not in page
    assert '<option value="billing" selected>' in page  # the category chosen, kept
    assert re.search(r'value="no" checked', page)  # and "not founded"
    step(client, reference, "analysis", root_cause="Tri", category="delivery", founded="yes")
    past = step(
        client,
        reference,
        "actions",
        kind="curative",
        description="Renvoi",
        owner="Camille",
        due_on="2020-01-01",
    )
    assert past.status_code == 422 and "Cette date est déjà passée" in html.unescape(past.text)
    assert "Renvoi" in past.text and "in the past" not in past.text
    early = step(client, reference, "response", decision="accepted", message="Réponse")
    assert early.status_code == 409 and "ajoutez au moins une action" in html.unescape(early.text)
    assert views.show(app=fake_app, reference=reference)["state"] == "analysed"  # nothing changed
    manager = staff.add(app=fake_app, name="Luc2", role="manager")
    client.headers["Authorization"] = f"Bearer {manager}"
    nobody = step(client, reference, "assign", assignee="Personne Inconnue")
    assert nobody.status_code == 409 and 'id="assign-assignee-error"' in nobody.text
    assert "pas celui d&#39;un membre actif" in nobody.text and "--by" not in nobody.text


def test_a_standard_answers_blanks_must_be_completed_before_sending(
    fake_app: App, desk: tuple[TestClient, list[str]]
) -> None:
    client, references = desk
    reference = references[5]
    step(client, reference, "analysis", root_cause="Tri", category="delivery", founded="no")
    text = answer_templates.offered(Path("templates"), "fr", "delivery")
    refusal = next(a for a in text if a.key == "refusee").filled(
        "fr", name="X", reference=reference, subject="S"
    )
    sent = step(client, reference, "response", decision="rejected", message=refusal)
    assert sent.status_code == 422 and "Complétez les passages marqués […]" in html.unescape(
        sent.text
    )
    assert views.show(app=fake_app, reference=reference)["answers"] == []
    done = step(
        client,
        reference,
        "response",
        decision="rejected",
        message=refusal.replace("[…]", "le colis a été livré"),
    )
    assert done.status_code == 303 and views.show(app=fake_app, reference=reference)["answers"]


def test_search_wildcards_are_plain_characters(desk: tuple[TestClient, list[str]]) -> None:
    client, _ = desk
    assert listed(client, "q=%25") == [] and listed(client, "q=_") == []
    assert len(listed(client, "q=.")) == queue.PAGE  # every address has a dot: a plain search


def test_assignment_offers_the_active_members(
    fake_app: App, desk: tuple[TestClient, list[str]]
) -> None:
    client, references = desk
    manager = staff.add(app=fake_app, name="Luc2", role="manager")
    staff.revoke(app=fake_app, name="Bob")
    page = client.get(
        f"/staff/c/{references[5]}", headers={"Authorization": f"Bearer {manager}"}
    ).text
    offered = re.findall(
        r"<option(?: selected)?>([^<]+)</option>", page[page.index('id="assign-assignee"') :]
    )
    assert "Camille" in offered and "Luc2" in offered and "Bob" not in offered


def test_signing_in_leads_back_to_the_page_asked_for(
    fake_app: App, desk: tuple[TestClient, list[str]]
) -> None:
    client, references = desk
    token = client.headers.pop("Authorization").removeprefix("Bearer ")
    asked = client.get(f"/staff/c/{references[2]}?lang=en", follow_redirects=False)
    assert asked.status_code == 303
    login = client.get(asked.headers["location"]).text
    assert f'name="next" value="/staff/c/{references[2]}"' in login
    signed = client.post(
        "/staff/login?lang=en",
        data={"token": token, "csrf": csrf(login), "next": f"/staff/c/{references[2]}"},
        follow_redirects=False,
    )
    assert signed.headers["location"] == f"/staff/c/{references[2]}?lang=en"
    for elsewhere in ("//evil.example/staff/", "https://evil.example/", "/staff\\\\evil"):
        client.cookies.clear()
        login = client.get("/staff").text
        gone = client.post(
            "/staff/login",
            data={"token": token, "csrf": csrf(login), "next": elsewhere},
            follow_redirects=False,
        )
        assert gone.headers["location"] == "/staff?lang=fr", elsewhere


def test_an_action_is_marked_done_from_the_page(
    fake_app: App, desk: tuple[TestClient, list[str]]
) -> None:
    client, references = desk
    reference, other = references[5], references[6]
    answer(fake_app, reference, datetime.now(UTC))
    (planned,) = views.show(app=fake_app, reference=reference)["actions"]
    page = client.get(f"/staff/c/{reference}").text
    assert f'id="done-{planned["id"]}"' in page and "pas encore" in page
    wrong = client.post(f"/staff/c/{other}/actions/{planned['id']}/done", data={"csrf": csrf(page)})
    assert wrong.status_code == 404  # another complaint's action: nothing written
    assert views.show(app=fake_app, reference=reference)["actions"][0]["done_at"] is None
    done = client.post(
        f"/staff/c/{reference}/actions/{planned['id']}/done", data={"csrf": csrf(page)}
    )
    assert done.status_code == 200 and "Enregistré." in done.text and "réalisée le" in done.text
    assert f'id="done-{planned["id"]}"' not in done.text
    history = [e["action"] for e in views.show(app=fake_app, reference=reference)["history"]]
    assert history.count("action_completed") == 1


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_the_queues_sql_on_each_database(database_url: str) -> None:
    app = simulated(build_app(Settings(database_url=database_url), MemorySender()))
    try:
        references = morning(app)
        first = queue.queue(app=app, member="Camille", filters=queue.Filters())
        second = queue.queue(app=app, member="Camille", filters=queue.Filters(page=2))
        rows = first.rows + second.rows
        assert {r.reference for r in rows} == set(references) and first.counts["all"] == 30
        late = [r.overdue for r in rows]
        assert any(late) and late == sorted(late, reverse=True)
        rest = [r for r in rows if not r.overdue]
        assert rest[0].needs_attention and not any(r.needs_attention for r in rest[1:])
        due = [r.due for r in rest[1:] if r.due is not None]
        assert due == sorted(due) and all(r.due_kind for r in rest[1:] if r.due is not None)
        assert {r.due_kind for r in rows} == {"acknowledge", "answer"}  # this morning's two
        found = queue.queue(app=app, member="Camille", filters=queue.Filters(q="HADDAD"))
        assert found.rows and {r.customer for r in found.rows} == {"Karim Haddad"}
        mine = queue.queue(app=app, member="Camille", filters=queue.Filters(view="mine"))
        assert mine.total == first.counts["mine"] > 0
        assert {r.assignee for r in mine.rows} == {"Camille"}
    finally:
        app.db.dispose()


def test_signing_out_from_the_dashboard(desk: tuple[TestClient, list[str]]) -> None:
    client, _ = desk
    token = client.headers.pop("Authorization").removeprefix("Bearer ")
    login = client.get("/staff").text
    client.post("/staff/login", data={"token": token, "csrf": csrf(login)})
    dashboard = client.get("/staff/tableau")
    assert dashboard.status_code == 200 and "Se déconnecter" in dashboard.text
    out = client.post("/staff/logout", data={"csrf": csrf(dashboard.text)}, follow_redirects=False)
    assert out.status_code == 303  # the form's token matches the cookie the page set
    assert 'name="token"' in client.get("/staff").text  # signed out: the sign-in form
