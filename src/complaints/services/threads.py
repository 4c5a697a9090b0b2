"""Which complaint a message from the mailbox is about, proved rather than guessed. A parent
Message-ID counts only when it is really one of ours, sent to the customer (one we sent to
staff or to the mediator makes their reply theirs, not the customer's), or one the same sender
sent us earlier about the complaint. A reference read anywhere else (the subject, a Message-ID
anyone can forge) counts only from the customer's own address."""

from __future__ import annotations

from sqlalchemy.orm import Session

from complaints import inbound_queries, outbox_queries, repository
from complaints.mail import inbound
from complaints.models import Complaint
from complaints.services.delivery import CUSTOMER_KINDS
from complaints.services.merging import same_customer


class NotTheCustomers(Exception):
    """The message is about a complaint, but may not be taken as its customer's: why (a key
    of services.inbound.WHY) and the complaint's reference."""

    def __init__(self, code: str, reference: str) -> None:
        super().__init__(code, reference)
        self.code, self.reference = code, reference


def about(session: Session, found: inbound.Inbound) -> Complaint | None:
    """The complaint a reply is about, locked; None when the message is a new complaint."""
    parents = list(reversed(found.parents))  # the latest it answers first
    ours = outbox_queries.by_message_ids(session=session, message_ids=parents)
    theirs = inbound_queries.by_message_ids(session=session, message_ids=parents)
    staff_reference = None
    for parent in parents:
        if parent in ours:
            kind, complaint_id = ours[parent]
            if complaint_id is not None and kind in CUSTOMER_KINDS:
                return _taken_by(session, _locked(session, complaint_id), found)
            staff_reference = staff_reference or _reference(session, complaint_id)
        elif parent in theirs:
            sender, complaint_id = theirs[parent]
            if complaint_id is not None and sender == found.sender:
                return _taken_by(session, _locked(session, complaint_id), found)
    if staff_reference is not None:
        raise NotTheCustomers("staff_reply", staff_reference)
    if found.reference is None:
        return None
    complaint = repository.find(session=session, reference=found.reference, lock=True)
    if complaint is None:
        return None  # a reference that names nothing: a new complaint after all
    if complaint.complainant.email.lower() != found.sender:
        raise NotTheCustomers("stranger", complaint.reference)
    return _taken_by(session, complaint, found)


def _taken_by(session: Session, complaint: Complaint, found: inbound.Inbound) -> Complaint:
    """The complaint that takes the message: the one `complaint` was merged into, if it is
    the same customer's (another customer's complaint never hears of this one's mail)."""
    if complaint.anonymised_at is not None:
        raise NotTheCustomers("erased", complaint.reference)
    seen = {complaint.id}
    while complaint.merged_into_id is not None and complaint.merged_into_id not in seen:
        primary = _locked(session, complaint.merged_into_id)
        if not same_customer(complaint, primary):
            raise NotTheCustomers("merged_other", complaint.reference)
        complaint = primary
        seen.add(complaint.id)
    return complaint


def _locked(session: Session, complaint_id: int) -> Complaint:
    repository.lock(session=session, complaint_id=complaint_id)
    return session.get_one(Complaint, complaint_id)


def _reference(session: Session, complaint_id: int | None) -> str:
    if complaint_id is None:
        return "—"
    return session.get_one(Complaint, complaint_id).reference


def complaint_of(session: Session, found: inbound.Inbound) -> int | None:
    """The complaint an automatic message answers, if any of ours it names (for erasure)."""
    ours = outbox_queries.by_message_ids(session=session, message_ids=found.parents)
    return next((cid for _, cid in ours.values() if cid is not None), None)
