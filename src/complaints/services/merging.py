"""Related complaints: linked both ways, and a duplicate merged into its primary (and back).
A merged duplicate is closed: its deadlines stop, its e-mails not yet sent are cancelled and
its customer is told; both references keep working, the primary showing the duplicate's
history and e-mails."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from complaints import merge_queries, outbox_queries, policy, record_queries, repository
from complaints.app import App
from complaints.clock import at_or_now
from complaints.errors import Conflict, Invalid, RuleViolation
from complaints.lifecycle import ANSWER_CLOCK_STATES, State, Step
from complaints.mail.compose import to_customer, tracking_path, tracking_url
from complaints.merge_queries import STAFF_LINK
from complaints.models import Complaint, RelatedComplaint
from complaints.services.closure import close_and_tell
from complaints.services.history import Actor, check, move, record, settle
from complaints.services.staff import staff_actor


def _taking(
    session: Session, references: Sequence[str], by: str, at: datetime | None
) -> tuple[dict[str, Complaint], Actor, datetime]:
    """The complaints, locked (in id order); the known staff member acting; the step's time,
    checked against each complaint's last event."""
    at = at_or_now(at)
    actor = staff_actor(session, by, at=at)
    found = repository.get_many(session=session, references=references, lock=True)
    for complaint in found.values():
        at = settle(session, complaint, at, actor)
    return found, actor, at


def same_customer(first: Complaint, second: Complaint) -> bool:
    """Whether two complaints are the same customer's: the same e-mail address."""
    mine = first.complainant.email.strip().lower()
    return bool(mine) and mine == second.complainant.email.strip().lower()


def link(*, app: App, reference: str, by: str, other: str, at: datetime | None = None) -> str:
    """Link two related complaints, each to the other; a link triage suggested is confirmed."""
    other = other.strip()
    if other == reference:
        raise Invalid(f"cannot link {reference} to itself")
    with app.db.transaction() as session:
        found, actor, at = _taking(session, [reference, other], by, at)
        complaint, related = found[reference], found[other]
        existing = merge_queries.links(session=session, first=complaint.id, second=related.id)
        if any(row.reason == STAFF_LINK for row in existing):
            raise RuleViolation(f"{reference} and {other} are already linked")
        for row in existing:
            row.reason = STAFF_LINK
        pairs = ((complaint, related), (related, complaint))
        have = {(row.complaint_id, row.related_id) for row in existing}
        for one, two in pairs:
            if (one.id, two.id) not in have:
                session.add(
                    RelatedComplaint(complaint_id=one.id, related_id=two.id, reason=STAFF_LINK)
                )
        for one, two in pairs:
            move(
                session,
                one,
                Step.LINK,
                at=at,
                actor=actor,
                reason=f"linked to {two.reference}",
                data={"other": two.reference},
            )
        return complaint.state.value


def _refuse_primary(session: Session, duplicate: Complaint, primary: Complaint) -> None:
    """Refuse a primary that is merged or closed, and a duplicate that is itself a primary
    (merges never chain)."""
    if primary.merged_into_id is not None:
        raise RuleViolation(
            f"cannot merge {duplicate.reference} into {primary.reference}: it was itself merged"
            " into another complaint; merge into that one"
        )
    if primary.state == State.CLOSED:
        raise RuleViolation(
            f"cannot merge {duplicate.reference} into {primary.reference}: it is closed"
        )
    if merge_queries.has_duplicates(session=session, complaint_id=duplicate.id):
        raise RuleViolation(
            f"cannot merge {duplicate.reference}: complaints were merged into it; merge"
            f" {primary.reference} into it instead, or undo those merges first"
        )


def merge(
    *,
    app: App,
    reference: str,
    by: str,
    into: str,
    confirm: bool = False,
    at: datetime | None = None,
) -> str:
    """Merge the duplicate `reference` into the primary `into`: the duplicate is closed and
    its customer told; another customer's complaint only when `confirm`ed."""
    into = into.strip()
    if into == reference:
        raise Invalid(f"cannot merge {reference} into itself")
    with app.db.transaction() as session:
        found, actor, at = _taking(session, [reference, into], by, at)
        duplicate, primary = found[reference], found[into]
        check(duplicate, Step.MERGE, actor)
        _refuse_primary(session, duplicate, primary)
        same = same_customer(duplicate, primary)
        if not same and not confirm:
            raise Conflict(
                f"{reference} and {into} are not the same customer's (their e-mail addresses"
                " differ): confirm to merge them anyway (--confirm, or confirm: true)"
            )
        cancelled = outbox_queries.cancel_pending(session=session, complaint_id=duplicate.id)
        duplicate.merged_into_id = primary.id
        at = close_and_tell(
            session,
            app,
            duplicate,
            Step.MERGE,
            at=at,
            actor=actor,
            why="merged",
            reason=f"merged into {into}" + ("" if same else " (another customer's: confirmed)"),
            data={"into": into, "same_customer": same, "emails_cancelled": cancelled},
            primary=into,
            # Another customer's tracking link is never given: it opens their complaint.
            primary_url=tracking_url(app, primary) if same else "",
        )
        record(
            session,
            primary,
            at=at,
            actor=actor,
            action="merged_in",
            reason=f"{reference} merged into it",
            data={"duplicate": reference, "same_customer": same},
        )
        return duplicate.state.value


def unmerge(*, app: App, reference: str, by: str, reason: str, at: datetime | None = None) -> str:
    """Undo a merge (a manager's step): the complaint goes back to the state it left, its
    deadlines run again from the promise it had, and its customer is told."""
    if not reason.strip():
        raise Invalid("say why the merge is undone (--reason)")
    with app.db.transaction() as session:
        primary_ref = merge_queries.primary_reference(session=session, reference=reference)
        found, actor, at = _taking(session, [reference, *filter(None, [primary_ref])], by, at)
        duplicate = found[reference]
        check(duplicate, Step.UNMERGE, actor)  # not merged: 409; an agent: 403
        primary = session.get_one(Complaint, duplicate.merged_into_id)
        at = move(
            session,
            duplicate,
            Step.UNMERGE,
            at=at,
            actor=actor,
            reason=reason.strip(),
            data={"from": primary.reference},
        )
        duplicate.merged_into_id, duplicate.closure_reason = None, None
        record(
            session,
            primary,
            at=at,
            actor=actor,
            action="merge_undone",
            reason=f"{reference} is handled on its own again",
            data={"duplicate": reference},
        )
        owes = duplicate.state in ANSWER_CLOCK_STATES and duplicate.answered_at is None
        to_customer(
            session,
            app,
            complaint=duplicate,
            kind="unmerged",
            at=at,
            primary=primary.reference,
            owes_answer=owes,
            late=owes and policy.passed(duplicate.answer_by, at),
        )
        return duplicate.state.value


# Reads


def likely_duplicates(session: Session, complaint: Complaint, *, days: int) -> list[str]:
    """The same customer's complaints about the same product and category received within
    `days` of this one, not merged: references, oldest first. None for a complaint already
    merged into another."""
    if complaint.merged_into_id is not None:
        return []
    window = timedelta(days=days)
    return merge_queries.likely_duplicates(session=session, complaint=complaint, window=window)


def _duplicate(session: Session, duplicate: Complaint) -> dict[str, Any]:
    """A duplicate as its primary shows it: its subject, history and e-mails."""
    events = record_queries.events_of(session=session, complaint_id=duplicate.id)
    mails = record_queries.mails_of(session=session, complaint_id=duplicate.id)
    return {
        "reference": duplicate.reference,
        "subject": duplicate.subject,
        "received_at": duplicate.received_at.isoformat(),
        "history": [
            {
                "at": e.at.isoformat(),
                "actor": f"{e.actor_kind}:{e.actor}",
                "action": e.action,
                "from": e.from_state,
                "to": e.to_state,
                "reason": e.reason,
                "data": e.data,  # as the primary's own history has it
            }
            for e in events
        ],
        "emails": [
            {
                "kind": m.kind,
                "to": m.recipient,
                "subject": m.subject,
                "status": m.status,
                "sent_at": m.sent_at.isoformat() if m.sent_at else None,
            }
            for m in mails
        ],
    }


def merges(session: Session, complaint: Complaint, *, days: int) -> dict[str, Any]:
    """What `show` says of merges: the primary this complaint was merged into, the duplicates
    merged into it (readable here), and its likely duplicates."""
    return {
        "merged_into": merge_queries.reference_of(
            session=session, complaint_id=complaint.merged_into_id
        ),
        "merged": [
            _duplicate(session, d)
            for d in merge_queries.duplicates_of(session=session, complaint_id=complaint.id)
        ],
        "duplicates": likely_duplicates(session, complaint, days=days),
    }


def joined_to(session: Session, complaint: Complaint) -> dict[str, str | None] | None:
    """What the duplicate's tracking page says of its primary: the reference, and its
    tracking page only when it is the same customer's."""
    if complaint.merged_into_id is None:
        return None
    primary = session.get_one(Complaint, complaint.merged_into_id)
    path = tracking_path(primary.tracking_token) if same_customer(complaint, primary) else None
    return {"reference": primary.reference, "path": path}
