"""The queue's "time left" in words: our broken promise is "late"; the customer's information
past its date is not called ours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from complaints.api.queue_page import time_left
from complaints.services.queue import Queue, Row
from complaints.templating import strings

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
WORDS = strings(Path(__file__).parents[1] / "templates")


def left(kind: str, days: int, overdue: bool = False, lang: str = "fr") -> str:
    row = Row(
        "R", "s", "c", "p", "web", "x", None, NOW + timedelta(days=days), kind, overdue, False
    )
    queue = Queue(rows=[row], total=1, page=1, pages=1, as_of=NOW)
    return time_left(row, queue, WORDS[lang]["queue"], lang, "Europe/Paris")


def test_the_time_left_says_whose_delay_it_is() -> None:
    assert left("answer", -3, overdue=True) == "en retard de 3 j"
    assert left("acknowledge", -1) == "en retard de 1 j"
    assert left("information", -4) == "date dépassée de 4 j"
    assert left("information", -4, lang="en") == "4 days past the date"
    assert left("answer", 1, lang="en") == "1 day left"
    assert left("information", 2) == "encore 2 j"
    assert left("answer", 0) == "échéance aujourd'hui"
