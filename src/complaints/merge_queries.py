"""The queries of related complaints: staff links, duplicates merged into a primary, and the
likely duplicates of a complaint (rows and references only; the services own the
transactions)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from complaints.models import Complainant, Complaint, RelatedComplaint

STAFF_LINK = "linked by staff"


def links(*, session: Session, first: int, second: int) -> list[RelatedComplaint]:
    """The links between two complaints, in either direction."""
    query = select(RelatedComplaint).where(
        or_(
            (RelatedComplaint.complaint_id == first) & (RelatedComplaint.related_id == second),
            (RelatedComplaint.complaint_id == second) & (RelatedComplaint.related_id == first),
        )
    )
    return list(session.scalars(query))


def reference_of(*, session: Session, complaint_id: int | None) -> str | None:
    if complaint_id is None:
        return None
    return session.scalar(select(Complaint.reference).where(Complaint.id == complaint_id))


def primary_reference(*, session: Session, reference: str) -> str | None:
    """The reference of the complaint that `reference` was merged into, if it was."""
    primary = aliased(Complaint)
    query = (
        select(primary.reference)
        .join(Complaint, Complaint.merged_into_id == primary.id)
        .where(Complaint.reference == reference)
    )
    return session.scalar(query)


def has_duplicates(*, session: Session, complaint_id: int) -> bool:
    """Whether a complaint was merged into this one."""
    query = select(Complaint.id).where(Complaint.merged_into_id == complaint_id).limit(1)
    return session.execute(query).first() is not None


def duplicates_of(*, session: Session, complaint_id: int) -> list[Complaint]:
    """The complaints merged into this one, oldest first."""
    query = (
        select(Complaint)
        .where(Complaint.merged_into_id == complaint_id)
        .order_by(Complaint.received_at, Complaint.id)
    )
    return list(session.scalars(query))


def likely_duplicates(
    *, session: Session, complaint: Complaint, window: timedelta, limit: int = 20
) -> list[str]:
    """References of the same customer's complaints (same e-mail address) about the same
    product and category, received within `window` of this one, not merged: oldest first."""
    email = complaint.complainant.email.strip().lower()
    if not email:  # anonymised: nobody to compare with
        return []
    category = (
        Complaint.category.is_(None)
        if complaint.category is None
        else Complaint.category == complaint.category
    )
    query = (
        select(Complaint.reference)
        .join(Complainant, Complainant.id == Complaint.complainant_id)
        .where(
            Complaint.product == complaint.product,
            category,
            Complaint.id != complaint.id,
            Complaint.merged_into_id.is_(None),
            Complaint.received_at >= complaint.received_at - window,
            Complaint.received_at <= complaint.received_at + window,
            func.lower(Complainant.email) == email,
        )
        .order_by(Complaint.received_at, Complaint.id)
        .limit(limit)
    )
    return list(session.scalars(query))
