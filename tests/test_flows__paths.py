"""Every path of the lifecycle through the real flows (Prefect test harness), with e-mails
received by a real SMTP server and read for their content. SQLite, and PostgreSQL when set."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest

from complaints import orchestration
from complaints.app import App
from complaints.mail.sink import MailSink
from complaints.services import feedback, handling
from complaints.services import intake as intake_service
from complaints.services.views import show
from tests.conftest import BACKENDS, intake
from tests.factories import answer

pytestmark = [pytest.mark.usefixtures("prefect_server"), pytest.mark.prefect]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def run_due(n: float) -> dict[str, object]:
    return asyncio.run(orchestration.run_due(day(n)))


def text(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return " ".join(str(body.get_content()).split())  # lines are wrapped


def html(message: EmailMessage) -> str:
    body = message.get_body(("html",))
    assert body is not None
    return str(body.get_content())


def mails_to(smtp: MailSink, address: str) -> list[EmailMessage]:
    return [m for m in smtp.messages if address in str(m["To"])]


def test_acknowledgement_at_once_in_the_customer_language(app: App, smtp: MailSink) -> None:
    fr = intake_service.receive(app=app, intake=intake(), at=T0)
    en = intake_service.receive(
        app=app, intake=intake(language="en", email="oliver@example.co.uk"), at=T0
    )
    result = run_due(0)
    assert result["handled"] == 2
    [ack_fr] = mails_to(smtp, "marie.lefevre@exemple.fr")
    [ack_en] = mails_to(smtp, "oliver@example.co.uk")
    assert ack_fr["Subject"] == f"Accusé de réception de votre réclamation {fr.reference}"
    assert "17 mars 2026" in text(ack_fr)  # 2 March + 15 days
    assert f"/suivi/{fr.tracking_token}" in text(ack_fr)
    assert "March 17, 2026" not in text(ack_en) and "17 March 2026" in text(ack_en)
    assert en.reference in ack_en["Subject"]
    assert show(app=app, reference=fr.reference)["state"] == "in_analysis"
    assert run_due(0)["handled"] == 0  # run twice: nothing more happens, no second e-mail
    assert len(smtp.messages) == 2


def test_answer_survey_satisfied_closed(app: App, smtp: MailSink) -> None:
    reference = intake_service.receive(app=app, intake=intake(), at=T0).reference
    run_due(0)
    answer(app, reference, day(2))
    run_due(2.1)
    [reply] = [m for m in smtp.messages if "Réponse à votre réclamation" in m["Subject"]]
    assert "Nouvel envoi en express" in text(reply)
    assert "médiateur de la consommation" in text(reply) and "mediation-conso.example.org" in text(
        reply
    )
    assert run_due(9)["surveys"] == 1
    [survey] = [m for m in smtp.messages if "Votre avis" in m["Subject"]]
    assert "satisfait=oui" in text(survey) and "satisfait=non" in text(survey)
    feedback.record_feedback(app=app, reference=reference, satisfied=True, at=day(10))
    data = show(app=app, reference=reference)
    assert (data["state"], data["closure_reason"]) == ("closed", "satisfied")


def test_survey_unanswered_closes_as_no_feedback(app: App, smtp: MailSink) -> None:
    reference = intake_service.receive(app=app, intake=intake(), at=T0).reference
    run_due(0)
    answer(app, reference, day(1), founded=False)
    run_due(8)
    assert run_due(21)["closed"] == 0  # survey of 10 March: open to the end of 24 March
    assert run_due(22.5)["closed"] == 0  # 24 March, 22:00 in Paris: still the day told
    assert run_due(23)["closed"] == 1
    assert show(app=app, reference=reference)["closure_reason"] == "no_feedback"


def test_overdue_alerts_the_manager_once_then_the_mediator(app: App, smtp: MailSink) -> None:
    reference = intake_service.receive(
        app=app, intake=intake(product="Électricité"), at=T0
    ).reference
    run_due(0)
    assert run_due(15.5)["alerted"] == 0  # 17 March, 22:00 in Paris: the day promised is not over
    assert run_due(16)["alerted"] == 1
    assert run_due(16.5)["alerted"] == 0  # once
    [alert] = mails_to(smtp, "qualite@exemple-services.fr")
    assert reference in alert["Subject"]
    assert "la réponse promise au client n'a pas été envoyée dans le délai" in text(alert)
    assert "transmise au médiateur le 23 mars 2026" in text(alert)
    assert run_due(20.5)["referred"] == 0  # 22 March, 22:00 in Paris: the grace is not over
    assert run_due(20.6)["referred"] == 1  # 23 March, 00:24 in Paris
    [case] = mails_to(smtp, "saisine@mediateur-energie.example.org")
    assert "Le transporteur dit que le colis est livré" in text(case)
    assert "06 12 34 56 78" not in text(case)  # only what the case needs
    [told] = [m for m in mails_to(smtp, "marie.lefevre@exemple.fr") if "médiateur" in m["Subject"]]
    assert "Médiateur national de l'énergie" in text(told)
    data = show(app=app, reference=reference)
    assert data["state"] == "with_mediator"
    assert [e["action"] for e in data["history"]].count("manager_alerted") == 1


def test_review_then_mediator_path(app: App, smtp: MailSink) -> None:
    reference = intake_service.receive(app=app, intake=intake(), at=T0).reference
    run_due(0)
    answer(app, reference, day(2))
    feedback.record_feedback(
        app=app, reference=reference, satisfied=False, at=day(3), comment="Non"
    )
    run_due(3)
    assert any("Réexamen" in m["Subject"] for m in smtp.messages)
    answer(app, reference, day(5))
    feedback.record_feedback(app=app, reference=reference, satisfied=False, at=day(6))
    run_due(6)
    assert len(mails_to(smtp, "saisine@mediation-conso.example.org")) == 1
    handling.record_mediation_outcome(
        app=app, reference=reference, by="Luc", outcome="Avoir", at=day(20)
    )
    handling.close(app=app, reference=reference, by="Luc", reason="médiation close", at=day(20))
    assert show(app=app, reference=reference)["closure_reason"] == "mediation"


def test_html_escapes_what_the_customer_wrote(app: App, smtp: MailSink) -> None:
    intake_service.receive(app=app, intake=intake(subject="<script>alert(1)</script>"), at=T0)
    run_due(0)
    [ack] = smtp.messages
    assert "<script>" not in html(ack) and "&lt;script&gt;" in html(ack)
    assert "<script>" not in ack["Subject"]


def test_smtp_failing_twice_then_recovering_delivers_exactly_one(app: App, smtp: MailSink) -> None:
    reference = intake_service.receive(app=app, intake=intake(), at=T0).reference
    smtp.refuse_next(2)
    for minutes in (0, 1):  # each failure waits for its backoff (30 s, then 2 min)
        with pytest.raises(orchestration.Unfinished) as unfinished:
            asyncio.run(orchestration.run_due(T0 + timedelta(minutes=minutes)))
        assert list(unfinished.value.failed) == [reference]
    run_due(1)
    assert len(smtp.messages) == 1
    assert show(app=app, reference=reference)["emails"][0]["attempts"] == 3


def test_smtp_down_leaves_the_mail_pending_and_the_flow_failed(app: App, smtp: MailSink) -> None:
    reference = intake_service.receive(app=app, intake=intake(), at=T0).reference
    smtp.refuse_next(100)
    for hours in (0, 1, 2):
        with pytest.raises(orchestration.Unfinished, match="not fully handled"):
            asyncio.run(orchestration.run_due(T0 + timedelta(hours=hours)))
    data = show(app=app, reference=reference)
    assert data["state"] == "in_analysis" and data["needs_attention"] is True
    assert data["emails"][0]["status"] == "pending"
    smtp.refuse_next(0)
    run_due(1)
    assert len(mails_to(smtp, "marie.lefevre@exemple.fr")) == 1
    # Accepted a day late: the manager is told the acknowledgement promise was missed.
    [alert] = [m for m in smtp.messages if "Alerte" in m["Subject"]]
    assert reference in alert["Subject"]


def test_prefect_holds_references_never_personal_data(app: App, smtp: MailSink) -> None:
    from prefect import get_client
    from prefect.client.schemas.filters import LogFilter
    from prefect.logging.handlers import APILogWorker

    person = intake(
        name="Zoé Personnelle",
        email="zoe.personnelle@exemple.fr",
        phone="06 99 88 77 66",
        description="Détails privés de Zoé",
    )
    reference = intake_service.receive(app=app, intake=person, at=T0).reference
    smtp.refuse_next(1)  # a failure and its retry write logs too
    with pytest.raises(orchestration.Unfinished):
        run_due(0)
    run_due(0.01)
    answer(app, reference, day(1))
    run_due(8)
    APILogWorker.drain_all(timeout=10)

    async def stored() -> str:
        async with get_client() as client:
            flows = await client.read_flow_runs(limit=200)
            tasks = await client.read_task_runs(limit=200)
            logs = await client.read_logs(LogFilter(), limit=200)
        records = [
            *(f.model_dump_json() for f in flows),
            *(t.model_dump_json() for t in tasks),
            *(log.model_dump_json() for log in logs),
        ]
        return "\n".join(records)

    everything = asyncio.run(stored())
    assert reference in everything  # the operations team finds the complaint by reference
    # A sweep's run says what it does and as of when, in the organisation's time (Paris).
    for name in (
        "run-due 2026-03-02 10:00",
        "deadlines 2026-03-02 10:00",
        "follow-up 2026-03-10 10:00",
    ):
        assert f'"name":"{name}' in everything.replace('": "', '":"'), name
    for secret in ("Zoé", "Personnelle", "zoe.personnelle", "06 99 88 77 66", "Détails privés"):
        assert secret not in everything


def test_monthly_review_is_emailed_once_per_month(app: App, smtp: MailSink) -> None:
    reference = intake_service.receive(app=app, intake=intake(), at=T0).reference
    run_due(0)
    answer(app, reference, day(3))
    run_due(3)
    before = len(smtp.messages)
    first = asyncio.run(orchestration.monthly_review(datetime(2026, 4, 1, 6, tzinfo=UTC)))
    assert first["reviews_sent"] == 2  # the two recipients of config/conduct.toml
    reviews = smtp.messages[before:]
    assert {str(m["To"]) for m in reviews} == {
        "qualite@exemple-services.fr",
        "direction@exemple-services.fr",
    }
    assert reviews[0]["Subject"] == "Revue mensuelle des réclamations — 2026-03"
    assert "<svg" in html(reviews[0]) and "Reçues : 1" in text(
        reviews[0]
    )  # text() folds every space, no-break ones too
    again = asyncio.run(orchestration.monthly_review(datetime(2026, 4, 1, 7, tzinfo=UTC)))
    assert again["reviews_queued"] == 0 and len(smtp.messages) == before + 2


def test_a_review_not_accepted_is_said_then_sent_by_the_next_sweep(
    app: App, smtp: MailSink
) -> None:
    intake_service.receive(app=app, intake=intake(), at=T0)
    run_due(0)
    before = len(smtp.messages)
    smtp.refuse_next(2)  # "451 try again later" to both recipients
    with pytest.raises(orchestration.Unfinished) as unfinished:
        asyncio.run(orchestration.monthly_review(datetime(2026, 4, 1, 6, tzinfo=UTC)))
    assert unfinished.value.result["reviews_sent"] == 0
    assert (
        "review e-mail not accepted (SMTPDataError 451)" in unfinished.value.failed["organisation"]
    )
    assert len(smtp.messages) == before
    asyncio.run(orchestration.run_due(datetime(2026, 4, 1, 7, tzinfo=UTC)))
    reviews = [m for m in smtp.messages[before:] if "Revue mensuelle" in str(m["Subject"])]
    assert len(reviews) == 2


def test_retention_flow_anonymises_what_outlived_the_period(app: App, smtp: MailSink) -> None:
    reference = intake_service.receive(app=app, intake=intake(), at=T0).reference
    run_due(0)
    answer(app, reference, day(1))
    handling.close(app=app, reference=reference, by="Luc", reason="réglé", at=day(2))
    early = asyncio.run(orchestration.anonymise_expired(day(3 * 365 - 5)))
    assert early == {"expired": 0, "anonymised": 0}
    done = asyncio.run(orchestration.anonymise_expired(day(3 * 365 + 5)))
    assert done == {"expired": 1, "anonymised": 1}
    data = show(app=app, reference=reference)
    assert data["complainant"]["name"] == "" and data["history"][-1]["action"] == "anonymised"
    assert data["history"][-1]["actor"] == "system:retention"


def test_the_nightly_checkpoint_seals_what_was_recorded(app: App, smtp: MailSink) -> None:
    from complaints.services.checkpoints import verify_checkpoints

    intake_service.receive(app=app, intake=intake(), at=T0)
    run_due(0)
    first = asyncio.run(orchestration.load("checkpoint")(day(0.5)))
    assert first["events"] >= 4 and asyncio.run(orchestration.load("checkpoint")(day(1))) == {
        "events": 0
    }
    assert verify_checkpoints(app=app) == []
