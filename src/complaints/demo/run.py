"""Run the nine samples through every path, days passing by `as_of`, on the real flows."""

from __future__ import annotations

import asyncio
import os
import time
from datetime import datetime, timedelta
from pathlib import Path

from rich.table import Table
from sqlalchemy import func, select

from complaints import app as wiring
from complaints import prefect_env
from complaints.clock import now
from complaints.dates import long_date, zone
from complaints.demo import mails
from complaints.demo.scenarios import EXPECTED, SAMPLES
from complaints.demo.script import MANAGER, STAFF, Script, console
from complaints.mail.sink import MailSink
from complaints.models import ActionKind, Complaint, Decision
from complaints.prefect_server import PrefectServer, drain_client
from complaints.reporting.report import build, to_html
from complaints.reporting.sql import Scope
from complaints.services import intake, views
from complaints.settings import get_settings


def prepare() -> None:
    """The demo's database runs on a simulated clock, marked so for good (reports and `verify`
    say so); its staff are members. A database with complaints on the real clock is refused."""
    from complaints.services import staff

    app = wiring.get_app()
    if not app.db.is_simulated():
        with app.db.reader() as session:
            real = session.scalar(select(func.count()).select_from(Complaint))
        if real:
            raise SystemExit(
                f"demo: {app.settings.database} holds {real} complaint(s) on the real clock;"
                " the demo's simulated clock would mix with them: set COMPLAINTS_DATABASE_URL"
                " to another database"
            )
        app.db.simulate_clock()
    staff.add(app=app, name=STAFF, role="agent")
    staff.add(app=app, name=MANAGER, role="manager")


async def play(script: Script) -> None:
    """The story: every path of the lifecycle over 32 days."""
    s, A, D = script, ActionKind, Decision
    for key, sample in SAMPLES.items():
        s.refs[key] = intake.receive(app=wiring.get_app(), intake=sample, at=s.day(0)).reference
    s.write(0, mails.complaint(s.day(0)), key="by_email")  # a complaint sent to the mailbox
    await s.sweep(0.01)  # acknowledged at once, first analysis (critical: a 5-day promise)
    await by_email(s)
    await s.merge("duplicate", 0.5, into="satisfied")  # the same parcel: one complaint
    await s.ask("information", 1, "Une photo de l'écran et du carton d'emballage.")
    await s.inform("information", 3, "Photos jointes : l'écran est fissuré, le carton intact.")
    s.analyse("information", 3, "Choc pendant le transport, emballage insuffisant.", "delivery")
    s.act("information", 3, A.CURATIVE, "Échange du téléviseur", "Logistique", 3)
    await s.answer("information", 4, D.ACCEPTED, "Un nouveau téléviseur vous est envoyé.")
    s.analyse("satisfied", 1, "Colis égaré par le transporteur (erreur de tri).", "delivery")
    s.act(
        "satisfied",
        1,
        A.CURATIVE,
        "Envoi d'une nouvelle box en express et offre d'un mois d'abonnement",
        "Logistique",
        2,
    )
    s.act("satisfied", 1, A.CORRECTIVE, "Signalement du dépôt de tri au transporteur", "Achats", 14)
    await s.answer(
        "satisfied",
        2,
        D.ACCEPTED,
        "Une nouvelle box vous est envoyée en express ; le mois de décembre vous est offert.",
    )
    s.done("satisfied", 3, "Envoi d'une nouvelle box")
    s.analyse(
        "no_feedback",
        1,
        "Frais d'itinérance dus à un réseau frontalier : facturation conforme.",
        "billing",
        founded=False,
    )
    await s.answer(
        "no_feedback",
        3,
        D.REJECTED,
        "Votre téléphone s'est connecté à un réseau espagnol "
        "près de la frontière ; ces frais sont conformes à votre contrat.",
    )
    s.analyse("english", 0.2, "Thermostat fault in batch 2026-03 of model HX-200.", "safety")
    s.act(
        "english",
        0.2,
        A.CURATIVE,
        "Full refund and replacement with a different model",
        "After-sales",
        2,
    )
    s.act("english", 0.2, A.CORRECTIVE, "Batch 2026-03 withdrawn from sale", "Quality", 5)
    s.act("english", 0.2, A.PREVENTIVE, "Thermal test added to incoming inspection", "Quality", 30)
    await s.answer(
        "english",
        1,
        D.ACCEPTED,
        "We are very sorry about your injury. You will be refunded in full and receive a "
        "different model as a replacement; the faulty batch is being withdrawn from sale.",
    )
    s.done("english", 2, "Full refund")
    s.done("english", 4, "Batch 2026-03")
    for key, first in (("review", "Pièce défectueuse"), ("mediation", "Résiliation reçue")):
        s.analyse(key, 2, first, "product_quality" if key == "review" else "billing")
        s.act(key, 2, A.CURATIVE, "Proposition initiale au client", "Service clients", 5)
        await s.answer(key, 4, D.PARTIALLY_ACCEPTED, "Nous proposons un avoir de 30 euros.")
        s.done(key, 5, "Proposition initiale")
    await s.sweep(11)  # surveys for the answers of days 1-4
    await s.feedback("satisfied", 11, True, "Box reçue, merci.")
    await s.feedback("english", 11, True)
    await s.feedback("information", 11, True)
    await s.feedback("by_email", 11, True, "Machine reçue, elle fonctionne.")
    await s.feedback("review", 11, False, "Je veux une réparation, pas un avoir.")
    await s.feedback("mediation", 11, False, "Je veux être remboursé.")
    s.done("satisfied", 12, "Signalement du dépôt")
    for key in ("review", "mediation"):
        s.analyse(
            key,
            12,
            "Réexamen : le défaut est couvert par la garantie."
            if key == "review"
            else "Réexamen : résiliation enregistrée avec retard.",
            "product_quality" if key == "review" else "billing",
        )
        await s.answer(
            key,
            13,
            D.ACCEPTED if key == "review" else D.PARTIALLY_ACCEPTED,
            "Un technicien réparera votre lave-linge sous garantie ; il vous appellera pour fixer"
            " le rendez-vous."
            if key == "review"
            else "Remboursement d'un mois sur trois.",
        )
    await s.sweep(16)  # "overdue" passed its 15-day promise (end of day 15): the manager is alerted
    s.done("english", 20, "Thermal test")
    await s.sweep(21)  # surveys of the reviewed answers; "overdue" past the grace: the mediator
    await s.feedback("review", 21, True)
    await s.feedback("mediation", 21, False, "Toujours pas remboursé des trois mois.")
    await s.sweep(26)  # "no_feedback": survey of day 11 unanswered to the end of day 25, closed
    await s.mediation_closed(
        "mediation", 30, "Remboursement intégral des trois mois accepté par l'assureur."
    )
    await s.mediation_closed("overdue", 31, "Indemnisation forfaitaire de 50 euros.")
    await s.sweep(31.01)


async def by_email(s: Script) -> None:
    """The customer who writes by e-mail: her out-of-office is never answered, and her reply
    to our request, quoted history and all, brings the information on her complaint."""
    await s.ask("by_email", 1, "Le numéro de série de la machine, inscrit sous l'appareil.")
    asked, thread = s.our("by_email", "information_request")
    s.write(1.01, mails.out_of_office(s.day(1.01), asked.message_id))
    s.write(2, mails.reply(s.day(2), asked.subject, asked.text_body, thread))
    await s.send("by_email", 2)
    s.analyse("by_email", 2, "Joint du réservoir défectueux (série CF-2026-11).", "product_quality")
    s.act("by_email", 2, ActionKind.CURATIVE, "Échange de la machine à café", "Logistique", 3)
    await s.answer(
        "by_email",
        3,
        Decision.ACCEPTED,
        "Une nouvelle machine vous est envoyée ; le transporteur reprendra l'ancienne.",
    )
    s.done("by_email", 4, "Échange de la machine")


def report(script: Script, mail_folder: Path) -> bool:
    """Print each complaint's state, deadlines and e-mails; True if every path ended as expected."""
    table = Table(
        "path",
        "reference",
        "channel",
        "lang",
        "state",
        "ended",
        "answer by",
        "first answer delivered",
        "e-mails sent",
    )
    ok = True
    conduct = wiring.get_app().conduct

    def day(value: str | None) -> str:
        moment = datetime.fromisoformat(value) if value else None
        return long_date(moment, "en", conduct.organisation.timezone) if moment else ""

    for key, reference in script.refs.items():
        data = views.show(app=wiring.get_app(), reference=reference, lang="en")
        expected = EXPECTED[key]
        good = (data["state"], data["closure_reason"]) == expected
        ok &= good
        kinds = [m["kind"] for m in data["emails"] if m["status"] == "sent"]
        table.add_row(
            key,
            reference,
            data["channel"],
            data["complainant"]["language"],
            data["state"] if good else f"[red]{data['state']}[/]",
            data["closure_reason"] or "",
            day(data["answer_by"]),
            day(data["first_answer_sent_at"]),
            ", ".join(kinds),
        )
    console.print(table)
    files = sorted(mail_folder.glob("*.eml"))
    console.print(
        f"\n{len(files)} e-mails received by the local SMTP server, stored in {mail_folder}/"
    )
    database = os.environ["COMPLAINTS_DATABASE_URL"]
    console.print(
        f"History of one complaint:  COMPLAINTS_DATABASE_URL={database}"
        f' complaints show {script.refs["mediation"]} --by "{MANAGER}"'
    )
    scope = Scope(since=script.start - timedelta(days=1), until=now() + timedelta(seconds=1))
    built = build(app=wiring.get_app(), scope=scope, now=now())
    for lang in ("fr", "en"):
        review = mail_folder.parent.parent / f"demo-report.{lang}.html"
        review.write_text(to_html(wiring.get_app(), built, lang=lang), "utf-8")
        console.print(f"Review report (figures, promise register, ISO 10002 audit): {review}")
    console.print(
        "Flow runs in the Prefect UI:  make ui  then open"
        f" http://127.0.0.1:{get_settings().prefect_port}/runs"
        " (runs are named by reference: search one)"
    )
    return ok


def run_demo() -> None:
    settings = get_settings()
    folder = settings.var / "mail" / f"demo-{now():%Y%m%dT%H%M%S}"
    sink = MailSink(folder).start()
    os.environ.update(
        COMPLAINTS_SMTP_HOST="127.0.0.1",
        COMPLAINTS_SMTP_PORT=str(sink.port),
        COMPLAINTS_SMTP_STARTTLS="false",
    )
    # A database of its own, on a simulated clock: the demo never mixes with real complaints.
    os.environ.setdefault("COMPLAINTS_DATABASE_URL", f"sqlite:///{settings.var / 'demo.db'}")
    wiring.reset()
    prefect_env.configure(settings.var)
    started = time.monotonic()
    server = PrefectServer(settings.var, port=settings.prefect_port).start()
    console.print(f"[dim]Prefect server ready in {time.monotonic() - started:.1f} s[/]")
    try:
        prepare()
        # 09:00 in the organisation's time zone, 32 days ago: each "day n" falls on the n-th
        # local day after it, whatever the hour in UTC or a change of summer time between.
        local = zone(settings.conduct.organisation.timezone)
        first = (
            (now() - timedelta(days=32))
            .astimezone(local)
            .replace(hour=9, minute=0, second=0, microsecond=0)
        )
        script = Script(start=first)
        asyncio.run(play(script))
        drain_client()
        ok = report(script, folder)
    finally:
        server.stop()
        sink.stop()
    console.print(f"[dim]demo done in {time.monotonic() - started:.1f} s[/]")
    if not ok:
        raise SystemExit("demo: a path did not end as expected (in red above)")
