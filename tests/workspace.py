"""A morning's queue for the staff workspace's tests: thirty open complaints received over
the last three weeks, in several states, some assigned, some overdue, one needing attention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from complaints.app import App
from complaints.models import Complaint
from complaints.services import automation, handling, intake, taking
from tests.conftest import intake as sample

PEOPLE = [
    ("Marie Lefèvre", "marie.lefevre@exemple.fr"),
    ("Jean Dupont", "jean.dupont@exemple.fr"),
    ("Awa Diallo", "awa.diallo@exemple.fr"),
    ("Thomas Martin", "t.martin@exemple.com"),
    ("Sophie Bernard", "sophie.b@exemple.org"),
    ("Karim Haddad", "karim.haddad@exemple.fr"),
]
SUBJECTS = [
    ("Colis jamais livré", "Box Fibre", "Bretagne"),
    ("Facture en double ce mois-ci", "Forfait Mobile", "Occitanie"),
    ("Décodeur en panne depuis une semaine", "Télévision", "Bretagne"),
    ("Conseiller impoli au téléphone", "Forfait Mobile", "Île-de-France"),
]


def morning(app: App, count: int = 30) -> list[str]:
    """`count` open complaints, the oldest received 21 days ago; their references, oldest first."""
    now = datetime.now(UTC)
    references = []
    for n in range(count):
        name, email = PEOPLE[n % len(PEOPLE)]
        subject, product, region = SUBJECTS[n % len(SUBJECTS)]
        received = now - timedelta(days=21 - (21 * n) // count, minutes=30)
        if n >= count - 2:
            received = now - timedelta(minutes=10 - n % 2)  # this morning's, not acknowledged yet
        reference = intake.receive(
            app=app,
            intake=sample(
                name=name,
                email=email,
                subject=subject,
                product=product,
                region=region,
                channel=("web", "email", "phone")[n % 3],
            ),
            at=received,
        ).reference
        references.append(reference)
        if n >= count - 2:
            continue  # this morning's: the next sweep acknowledges them
        for step in (automation.acknowledge, automation.start_analysis):
            taking.run_step(app, step, [reference], received + timedelta(minutes=5))
        if n % 3 == 0:
            handling.assign(
                app=app, reference=reference, by="Luc", assignee=("Camille", "Alice")[n % 2]
            )
    with app.db.transaction() as session:  # an e-mail that came back, as the bounce would say
        session.execute(
            update(Complaint)
            .where(Complaint.reference == references[count - 6])
            .values(needs_attention=True)
        )
    return references
