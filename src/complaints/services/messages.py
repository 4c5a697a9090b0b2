"""A customer's message about a complaint, by e-mail or from the tracking page: one step
whatever the way it came. What it does depends on where the complaint stands: the
information asked (the clock runs again), a closed complaint (the reopen rule: reopened in
its window, otherwise a new complaint follows it), otherwise a message on the file. The
assignee is told; the words are kept in the history, the files beside them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from complaints import repository
from complaints.app import App
from complaints.conduct import Terms
from complaints.errors import Conflict
from complaints.lifecycle import State, Step
from complaints.mail.compose import customer_context, queue_email
from complaints.mail.reading import File
from complaints.models import Complaint
from complaints.services import attachments, information, reopening
from complaints.services import terms as promises
from complaints.services.history import CUSTOMER, move, record
from complaints.services.staff import reminder_address


class Did:
    """What a message did (the inbound record and the tracking page say it)."""

    MESSAGE = "message"
    INFORMATION = "information"
    REOPENED = "reopened"
    FOLLOW_UP = "follow_up"


@dataclass(frozen=True)
class Received:
    did: str
    reference: str  # the complaint it landed on (a follow-up's own reference)


def receive(
    session: Session,
    app: App,
    complaint: Complaint,
    *,
    text: str,
    at: datetime,
    source: str,
    current: tuple[int, Terms],
    files: Sequence[File] = (),
    inbound_id: int | None = None,
) -> Received:
    """Take the customer's message `text` (and `files`) on `complaint`, locked, at `at`.
    `current`: the terms in force, read before the transaction (a follow-up needs them)."""
    more: dict[str, Any] = {"source": source}
    if inbound_id is not None:
        more["inbound"] = inbound_id
    if complaint.state == State.AWAITING_INFORMATION:
        information.resume(session, complaint, CUSTOMER, at, text, more)
        received = Received(Did.INFORMATION, complaint.reference)
    elif complaint.state == State.CLOSED:
        taken = reopening.reopen_closed(session, app, complaint, CUSTOMER, at, text, current, more)
        if taken.created:
            received = Received(Did.FOLLOW_UP, taken.created)
        else:
            received = Received(Did.REOPENED, complaint.reference)
    else:
        move(
            session, complaint, Step.CUSTOMER_MESSAGE, at=at, actor=CUSTOMER, reason=text, data=more
        )
        received = Received(Did.MESSAGE, complaint.reference)
    target = complaint
    if received.reference != complaint.reference:
        target = repository.get(session=session, reference=received.reference, lock=True)
    store_files(session, app, target, files, at=at, source=source, inbound_id=inbound_id)
    _tell_assignee(session, app, target, at)
    return received


def store_files(
    session: Session,
    app: App,
    complaint: Complaint,
    files: Sequence[File],
    *,
    at: datetime,
    source: str,
    inbound_id: int | None,
) -> None:
    """The files beside the message, stored, and one event naming them (ids, no names). From
    a form, a refused file refuses all (the form says why); from an e-mail, what the limits
    refuse (a signature's .p7s, a logo past the count) is left out and counted in the event,
    and the message is taken all the same."""
    if not files:
        return
    uploads = [attachments.Upload(f.filename, f.data, source, inbound_id) for f in files]
    left_out = 0
    if source == "email":
        uploads, left_out = attachments.what_fits(session, app, complaint.id, uploads)
    stored = attachments.add_all(session, app, complaint.id, uploads, at=at)
    if not stored and not left_out:
        return
    record(
        session,
        complaint,
        at=at,
        actor=CUSTOMER,
        action="files_received",
        reason=f"{len(stored)} file(s) sent by the customer"
        + (f", {left_out} left out (type or limits)" if left_out else ""),
        data={"attachments": [a.id for a in stored], "source": source, "left_out": left_out},
        visible=True,
    )


def _tell_assignee(session: Session, app: App, complaint: Complaint, at: datetime) -> None:
    """The member handling the complaint learns that the customer wrote (not what: the page
    says it, behind their sign-in)."""
    if complaint.assignee is None:
        return
    org = app.conduct.organisation
    queue_email(
        session,
        app,
        complaint=complaint,
        kind="customer_message",
        recipient=reminder_address(session, app, complaint.assignee),
        lang=org.language,
        context={
            **customer_context(session, app, complaint, lang=org.language),
            "assignee": complaint.assignee,
            "staff_url": f"{app.settings.public_base_url}/staff/c/{complaint.reference}",
        },
        at=at,
    )


def receive_by_token(
    *,
    app: App,
    token: str,
    text: str,
    files: Sequence[File] = (),
    answering: bool = False,
    at: datetime | None = None,
) -> Received:
    """The customer's message (and files) from the tracking page: on an open complaint; a
    closed one is reopened by its own form, which says what reopening means. `answering`:
    the information form's, refused when nothing is asked (any more)."""
    text = information.customer_text(text)
    current = promises.current(app)
    with app.db.transaction() as session:
        complaint, at = information.by_customer(session, token, at)
        if complaint.state == State.CLOSED:
            raise Conflict(f"{complaint.reference} is closed: reopen it to write")
        if answering and complaint.state != State.AWAITING_INFORMATION:
            raise Conflict(f"{complaint.reference} awaits no information")
        return receive(
            session,
            app,
            complaint,
            text=text,
            at=at,
            source="tracking",
            current=current,
            files=files,
        )
