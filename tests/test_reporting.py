"""The steering figures against data built with known answers."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest

from complaints.app import App
from complaints.models import ActionKind
from complaints.reporting.figures import overview
from complaints.reporting.improvement import actions, check_effectiveness, complete, recurring
from complaints.reporting.promises import register
from complaints.reporting.report import build, to_csv, to_html
from complaints.reporting.sql import Scope
from complaints.services import automation, delivery, feedback, handling, intake, taking
from complaints.services.views import show
from tests.conftest import BACKENDS
from tests.conftest import intake as sample
from tests.factories import answer


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 4, 30, 12, 0, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def deliver(app: App, reference: str, at: datetime) -> None:
    """The mail server accepts what is pending, at `at`."""
    asyncio.run(delivery.deliver(app=app, references=[reference], at=at))


def received(app: App, n: float, ack_after_hours: float | None, **changes: str) -> str:
    reference = intake.receive(app=app, intake=sample(**changes), at=day(n)).reference
    if ack_after_hours is not None:
        at = day(n) + timedelta(hours=ack_after_hours)
        taking.run_step(app, automation.acknowledge, [reference], at)
        taking.run_step(app, automation.start_analysis, [reference], at)
        deliver(app, reference, at)
    return reference


@pytest.fixture
def known(app: App) -> dict[str, str]:
    """A: on time everywhere, satisfied.  B: acknowledged 2 h late, answered late (day 20), review.
    C: phone, never answered (overdue).  D: received the last day, not yet due."""
    a = received(app, 0, 0.5, channel="web", product="Box Fibre", region="Bretagne")
    b = received(app, 1, 2.0, channel="letter", product="Box Fibre", region="Bretagne")
    c = received(
        app,
        2,
        0.25,
        channel="phone",
        product="Mobile",
        region="Occitanie",
        description="Facture erronée, remboursement demandé",
    )
    d = received(app, 58, None, channel="web", product="Mobile", region="Occitanie")
    answer(app, a, day(10))
    deliver(app, a, day(10))
    answer(app, b, day(21))  # received day 1, promised to the end of day 16
    deliver(app, b, day(21))
    taking.run_step(app, automation.send_survey, [a, b], day(29))
    feedback.record_feedback(app=app, reference=a, satisfied=True, at=day(30))
    feedback.record_feedback(app=app, reference=b, satisfied=False, at=day(30))
    return {"a": a, "b": b, "c": c, "d": d}


def test_counts_times_and_rates(app: App, known: dict[str, str]) -> None:
    f = overview(app=app, scope=Scope(since=T0, until=NOW), now=NOW)
    assert f["total"] == 4
    assert dict(f["by"]["channel"]) == {"web": 2, "letter": 1, "phone": 1}
    assert f["trend"] == [("2026-03", 3), ("2026-04", 1)]
    ack = f["acknowledgement_hours"]
    assert (ack["count"], ack["median"], ack["p90"]) == (3, 0.5, 2.0)
    # D was never acknowledged and its 60 minutes are long past: due, and not kept.
    assert (ack["due"], ack["kept"], ack["on_time_share"]) == (4, 2, 0.5)
    assert (f["answer_days"]["count"], f["answer_days"]["median"]) == (2, 10.0)
    # C, never answered, is overdue: due and not kept, as in the register.
    assert (f["answer_days"]["due"], f["answer_days"]["kept"]) == (3, 1)
    assert f["satisfaction"] == {"answered_surveys": 2, "satisfied": 1, "rate": 0.5}
    assert f["reopen_rate"] == 0.5
    assert (f["open_now"], f["overdue_now"]) == (3, 2)  # B reopened (due again day 45), C


def test_filters_narrow_every_figure(app: App, known: dict[str, str]) -> None:
    f = overview(app=app, scope=Scope(since=T0, until=NOW, filters={"product": "Mobile"}), now=NOW)
    assert f["total"] == 2 and f["answer_days"]["count"] == 0


def test_promise_register_rates_breaches_and_causes(app: App, known: dict[str, str]) -> None:
    promises = {p["key"]: p for p in register(app=app, scope=Scope(since=T0, until=NOW), now=NOW)}
    ack = promises["acknowledge"]
    assert (ack["due"], ack["kept"]) == (4, 2)  # D was never acknowledged: past its 60 minutes
    causes = {b["reference"]: b["cause"] for b in ack["breaches"]}
    assert causes == {
        known["b"]: {"kind": "late", "hours": 1.0},
        known["d"]: {"kind": "not_done", "days": 1},
    }
    ans = promises["answer"]
    assert (ans["due"], ans["kept"]) == (3, 1)  # A kept; B late; C overdue; D not yet due
    causes = {b["reference"]: b["cause"] for b in ans["breaches"]}
    assert causes[known["b"]] == {"kind": "late", "hours": 106.0, "escalated": False}
    assert causes[known["c"]]["kind"] == "not_done" and causes[known["c"]]["escalated"] is False
    by_channel = {g["value"]: g["rate"] for g in ans["by"]["channel"]}
    assert by_channel == {"web": 1.0, "letter": 0.0, "phone": 0.0}
    assert (promises["mediation"]["due"], promises["mediation"]["kept"]) == (2, 2)


def test_recurring_causes_are_flagged_with_their_complaints(app: App) -> None:
    refs = [received(app, n, 0.1) for n in (0, 5, 9)]  # same product and category
    received(app, 10, 0.1, product="Autre")
    flagged = recurring(app=app, until=day(30))
    assert [(c["product"], c["category"], c["count"]) for c in flagged] == [
        ("Box Fibre", "delivery", 3)
    ]
    assert sorted(flagged[0]["references"]) == sorted(refs)
    assert recurring(app=app, until=day(200)) == []  # outside the 90-day window


def test_actions_tracked_to_completion_and_effect_checked(app: App) -> None:
    first = received(app, 0, 0.1)
    handling.record_analysis(
        app=app,
        reference=first,
        by="A",
        root_cause="Tri",
        category="delivery",
        founded=True,
        at=day(1),
    )
    handling.plan_action(
        app=app,
        reference=first,
        by="A",
        kind=ActionKind.CORRECTIVE,
        description="Nouveau centre de tri",
        owner="Logistique",
        due_on=date(2026, 3, 10),
        at=day(1),
    )
    [row] = actions(app=app, today=date(2026, 3, 20))
    assert row["overdue"] is True
    complete(app=app, action_id=row["id"], by="Camille", at=day(12))
    assert check_effectiveness(app=app, at=day(50)) == []  # too early (90 days)
    received(app, 40, 0.1)  # the same cause came back after the action
    [checked] = check_effectiveness(app=app, at=day(110))
    assert (checked["effective"], checked["new_complaints"]) == (False, 1)
    assert "action_effectiveness_checked" in [
        e["action"] for e in show(app=app, reference=first)["history"]
    ]
    assert check_effectiveness(app=app, at=day(120)) == []  # checked once


def test_report_forms(app: App, known: dict[str, str]) -> None:
    report = build(app=app, scope=Scope(since=T0, until=NOW), now=NOW)
    html = to_html(app, report)
    assert "<svg" in html and "Accuser réception immédiatement" in html
    assert "33,3\u202f%" in html and "4 jours de retard" in html
    public = to_html(app, report, public=True)
    assert known["c"] not in public and "<svg" not in public  # aggregates only
    csv = to_csv(report)
    assert "promise_rate,answer,0.3333" in csv and "by_channel,web,2" in csv
    statuses = {item["key"]: item["status"] for item in report["audit"]["principles"]}
    assert len(statuses) == 9 and statuses["visibility"] == "evidenced"
    assert statuses["responsiveness"] == "not_met"  # 2 of 4 acknowledgements in time
    assert statuses["charges"] == "declared"  # a statement, never "evidenced"
    assert len(report["audit"]["charter"]) == 10


def test_one_definition_of_on_time_wherever_it_appears(app: App, known: dict[str, str]) -> None:
    report = build(app=app, scope=Scope(since=T0, until=NOW), now=NOW)
    register = {p["key"]: p for p in report["promises"]}
    figures = report["figures"]
    assert figures["answer_days"]["on_time_share"] == register["answer"]["rate"] == 0.3333
    assert figures["acknowledgement_hours"]["on_time_share"] == register["acknowledge"]["rate"]
    [responsiveness] = [i for i in report["audit"]["principles"] if i["key"] == "responsiveness"]
    checks = {c["key"]: c["value"] for c in responsiveness["checks"]}
    assert checks["answer_on_time"] == register["answer"]["rate"]
    html = to_html(app, report)
    kpi = html.split("Réponses dans le délai<b>")[1].split("</b>")[0]
    row = html.split("<td>Répondre dans le délai promis</td>")[1].split("</tr>")[0]
    assert kpi == "33,3\u202f%" and row.endswith("<td>33,3\u202f%</td>")


def test_the_report_speaks_each_language_and_no_code(app: App, known: dict[str, str]) -> None:
    import re

    from tests.test_words import CODES, ENGLISH, FRENCH

    report = build(app=app, scope=Scope(since=T0, until=NOW), now=NOW)
    for lang, foreign in (("fr", ENGLISH), ("en", FRENCH)):
        page = re.sub(
            r"<style.*?</style>|<[^>]+>", " ", to_html(app, report, lang=lang), flags=re.S
        )
        page = page.replace("Box Fibre", " ")  # a product's name is data, not words
        assert re.findall(foreign, page, flags=re.IGNORECASE) == [], lang
        assert [c for c in CODES if re.search(rf"(?<![\w/]){c}(?!\w)", page)] == [], lang
