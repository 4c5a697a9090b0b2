"""Data builders shared by the tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from complaints.app import App
from complaints.models import ActionKind, Decision
from complaints.services import handling


def answer(
    app: App, reference: str, at: datetime, *, founded: bool = True, by: str = "Camille"
) -> None:
    """Analyse, plan a curative action if founded, and answer: the staff's part, at `at`."""
    handling.record_analysis(
        app=app,
        reference=reference,
        by=by,
        root_cause="Erreur de tri",
        category="delivery",
        founded=founded,
        at=at,
    )
    if founded:
        handling.plan_action(
            app=app,
            reference=reference,
            by=by,
            kind=ActionKind.CURATIVE,
            description="Nouvel envoi en express",
            owner="Logistique",
            due_on=(at + timedelta(days=10)).date(),
            at=at,
        )
    handling.respond(
        app=app,
        reference=reference,
        by=by,
        decision=Decision.ACCEPTED if founded else Decision.REJECTED,
        message="Voici notre réponse.",
        at=at,
    )
