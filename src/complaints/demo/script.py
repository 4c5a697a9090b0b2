"""The staff and customers of the demo: each acts on day n after the first complaint, and
what they write leaves at once, as it would under `serve`."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from rich.console import Console

from complaints import app as wiring
from complaints import orchestration, outbox_queries, repository
from complaints.models import ActionKind, Decision, OutboxMessage
from complaints.reporting.improvement import actions, complete
from complaints.services import feedback, handling, inbound, information, merging, messages

console = Console(width=None if Console().is_terminal else 150)
STAFF, MANAGER = "Camille Roux", "Luc Moreau"  # an agent of customer service, the quality manager


class Script:
    """The demo's people, acting on its simulated clock."""

    def __init__(self, start: datetime) -> None:
        self.start = start
        self.refs: dict[str, str] = {}

    def day(self, n: float) -> datetime:
        return self.start + timedelta(days=n)

    def due(self, n: float) -> date:
        return (self.start + timedelta(days=n)).date()

    async def sweep(self, n: float) -> None:
        result = await orchestration.run_due(self.day(n))
        console.print(f"[dim]day {n:>5}: run-due → {result}[/]")

    async def send(self, key: str, n: float) -> None:
        """What a step wrote leaves now: the lifecycle flow on this complaint, as the intake's
        nudge runs it under `serve`."""
        await orchestration.handle([self.refs[key]], self.day(n))

    def analyse(self, key: str, n: float, cause: str, category: str, founded: bool = True) -> None:
        handling.record_analysis(
            app=wiring.get_app(),
            reference=self.refs[key],
            by=STAFF,
            root_cause=cause,
            category=category,
            founded=founded,
            at=self.day(n),
        )

    def act(self, key: str, n: float, kind: ActionKind, what: str, owner: str, within: int) -> None:
        handling.plan_action(
            app=wiring.get_app(),
            reference=self.refs[key],
            by=STAFF,
            kind=kind,
            description=what,
            owner=owner,
            due_on=self.due(n + within),
            at=self.day(n),
        )

    def done(self, key: str, n: float, what: str) -> None:
        """The action of `key` whose description starts with `what` is done on day n."""
        found = [
            a
            for a in actions(app=wiring.get_app(), today=self.due(n))
            if a["reference"] == self.refs[key] and a["description"].startswith(what)
        ]
        complete(app=wiring.get_app(), action_id=found[0]["id"], by=STAFF, at=self.day(n))

    async def answer(self, key: str, n: float, decision: Decision, message: str) -> None:
        handling.respond(
            app=wiring.get_app(),
            reference=self.refs[key],
            by=STAFF,
            decision=decision,
            message=message,
            at=self.day(n),
        )
        await self.send(key, n)

    async def feedback(self, key: str, n: float, satisfied: bool, comment: str = "") -> None:
        feedback.record_feedback(
            app=wiring.get_app(),
            reference=self.refs[key],
            satisfied=satisfied,
            comment=comment,
            at=self.day(n),
        )
        await self.send(key, n)

    async def ask(self, key: str, n: float, what: str) -> None:
        """Staff ask the customer for information: the answer's clock pauses."""
        information.request_information(
            app=wiring.get_app(), reference=self.refs[key], by=STAFF, what=what, at=self.day(n)
        )
        await self.send(key, n)

    async def inform(self, key: str, n: float, text: str) -> None:
        """The customer answers from the tracking page: the clock resumes, the dates move."""
        app = wiring.get_app()
        with app.db.reader() as session:
            token = repository.get(session=session, reference=self.refs[key]).tracking_token
        messages.receive_by_token(app=app, token=token, text=text, at=self.day(n))
        await self.send(key, n)

    def write(self, n: float, raw: bytes, key: str | None = None) -> None:
        """An e-mail reaches the complaints mailbox on day n (a new complaint: `key`)."""
        taken = inbound.take(wiring.get_app(), raw, source="demo", at=self.day(n))
        if key is not None and taken.reference:
            self.refs[key] = taken.reference
        said = f"{taken.outcome.value} {taken.reference or ''}"
        console.print(f"[dim]day {n:>5}: e-mail in → {said} ({taken.reason})[/]")

    def our(self, key: str, kind: str) -> tuple[OutboxMessage, list[str]]:
        """Our latest e-mail of `kind` about `key`, and the conversation it ends."""
        with wiring.get_app().db.reader() as session:
            complaint = repository.get(session=session, reference=self.refs[key])
            message = outbox_queries.latest(session=session, complaint_id=complaint.id, kind=kind)
            assert message is not None, f"no {kind} e-mail for {key}"
            thread = outbox_queries.thread_of(
                session=session, complaint_id=complaint.id, recipient=message.recipient
            )
            return message, thread[: thread.index(message.message_id) + 1]

    async def merge(self, key: str, n: float, into: str) -> None:
        """Staff merge a duplicate into its primary: its customer is told."""
        merging.merge(
            app=wiring.get_app(),
            reference=self.refs[key],
            by=STAFF,
            into=self.refs[into],
            at=self.day(n),
        )
        await self.send(key, n)

    async def mediation_closed(self, key: str, n: float, outcome: str) -> None:
        reference = self.refs[key]
        handling.record_mediation_outcome(
            app=wiring.get_app(), reference=reference, by=MANAGER, outcome=outcome, at=self.day(n)
        )
        handling.close(
            app=wiring.get_app(),
            reference=reference,
            by=MANAGER,
            reason="médiation conclue",
            at=self.day(n),
        )
        await self.send(key, n)
