"""Helpers for the web tests: the real app over a real SQLite file."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from complaints.app import App
from complaints.models import Complaint, Survey

FORM = {
    "name": "Marie Lefèvre",
    "email": "marie@exemple.fr",
    "phone": "",
    "subject": "Colis perdu",
    "description": "Jamais reçu.",
    "desired_outcome": "",
    "product": "Box Fibre",
    "region": "Bretagne",
    "customer_type": "individual",
    "language": "fr",
}


def csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "no CSRF token in the page"
    return found.group(1)


def complaints_stored(app: App) -> int:
    with app.db.reader() as session:
        return session.scalar(select(func.count()).select_from(Complaint)) or 0


def survey_token(app: App, reference: str) -> str:
    with app.db.reader() as session:
        complaint = session.scalars(select(Complaint).where(Complaint.reference == reference)).one()
        return session.scalars(
            select(Survey.token).where(Survey.complaint_id == complaint.id)
        ).one()


def submit_form(client: TestClient, **changes: str) -> object:
    page = client.get("/").text
    return client.post("/", data={**FORM, **changes, "csrf": csrf(page)}, follow_redirects=False)
