"""Receiving a complaint: reference, deadlines, history; bad input writes nothing."""

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from complaints.app import App
from complaints.models import Complaint, Event
from complaints.services import intake as service
from complaints.services.views import show
from tests.conftest import intake
from tests.factories import end_of

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def count(app: App, model: type) -> int:
    with app.db.reader() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_receive_numbers_per_year_and_sets_the_promise(fake_app: App) -> None:
    first = service.receive(app=fake_app, intake=intake(), at=AT)
    second = service.receive(app=fake_app, intake=intake(channel="phone"), at=AT)
    assert (first.reference, second.reference) == ("REC-2026-000001", "REC-2026-000002")
    assert first.answer_by == end_of(date(2026, 3, 17))  # the whole of the day told
    assert second.answer_by == end_of(date(2026, 3, 12))
    assert len(first.tracking_token) >= 32  # 192 bits, URL-safe


def test_phone_and_desired_outcome_are_optional(fake_app: App) -> None:
    receipt = service.receive(app=fake_app, intake=intake(phone=None, desired_outcome=""), at=AT)
    assert show(app=fake_app, reference=receipt.reference)["complainant"]["phone"] is None


def test_receive_records_the_first_event(fake_app: App) -> None:
    receipt = service.receive(app=fake_app, intake=intake(), at=AT)
    history = show(app=fake_app, reference=receipt.reference)["history"]
    assert [(e["action"], e["to"], e["actor"]) for e in history] == [
        ("received", "received", "customer:complainant")
    ]


@pytest.mark.parametrize(
    "bad",
    [
        {"email": "not-an-address"},
        {"name": "Eve\r\nBcc: victim@example.com"},
        {"subject": ""},
        {"description": "x" * 10_001},
        {"phone": "call me maybe"},
        {"language": "de"},
        {"channel": "pigeon"},
        {"description": "nul\x00byte"},
    ],
)
def test_bad_input_is_refused_before_anything_is_written(
    fake_app: App, bad: dict[str, str]
) -> None:
    with pytest.raises(ValidationError):
        service.receive(app=fake_app, intake=intake(**bad), at=AT)
    assert count(fake_app, Complaint) == count(fake_app, Event) == 0
