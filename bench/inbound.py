"""What taking a message from the mailbox costs (services/inbound.take), on SQLite: new
complaints, replies landing on them, and automatic mail kept unanswered, from the real-world
messages of tests/mail/. Prints figures; never fails."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("COMPLAINTS_DATABASE_URL", "sqlite://")  # each run sets its own

from complaints.app import build_app
from complaints.mail.sender import MemorySender
from complaints.services import inbound
from complaints.settings import Settings

MAIL = Path(__file__).parent.parent / "tests" / "mail"
COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 300


def timed(label: str, messages: list[bytes], take: object) -> None:
    costs = []
    for raw in messages:
        started = time.perf_counter()
        take(raw)  # type: ignore[operator]
        costs.append((time.perf_counter() - started) * 1000)
    costs.sort()
    print(
        f"{label:<28} {len(costs):>5} messages   median {statistics.median(costs):6.1f} ms"
        f"   p95 {costs[int(len(costs) * 0.95) - 1]:6.1f} ms   {len(costs) / (sum(costs) / 1000):6.1f}/s"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as home:
        settings = Settings(
            database_url=f"sqlite:///{home}/bench.db", home=Path.cwd(), inbound_daily_cap=10**6
        )
        app = build_app(settings, MemorySender())
        new = (MAIL / "pdf_attachment.eml").read_bytes()
        references: list[str] = []

        def take(raw: bytes) -> None:
            taken = inbound.take(app, raw, source="file")
            if taken.reference:
                references.append(taken.reference)

        timed(
            "new complaint (PDF attached)",
            [new.replace(b"<pdf-attachment-0001@", f"<n{i}@".encode()) for i in range(COUNT)],
            take,
        )
        replies = [
            (
                f"From: claire.dubois@exemple.fr\r\nTo: reclamations@exemple-services.fr\r\n"
                f"Subject: Re: [{reference}]\r\nMessage-ID: <r{i}@exemple.fr>\r\n"
                "Content-Type: text/plain; charset=utf-8\r\n\r\nVoici la suite.\r\n\r\n"
                "Le lun. 2 mars 2026 à 10:00, Service réclamations a écrit :\r\n> Bonjour\r\n"
            ).encode()
            for i, reference in enumerate(references)
        ]
        timed("reply (subject reference)", replies, take)
        automatic = (MAIL / "out_of_office.eml").read_bytes()
        timed(
            "out-of-office (ignored)",
            [automatic.replace(b"<AM0PR01MB9999OOF@", f"<o{i}@".encode()) for i in range(COUNT)],
            take,
        )
        app.db.dispose()


if __name__ == "__main__":
    main()
