"""The queries of customers' files: a complaint's, how many and how large, and which stored
contents are still named by a row. Keyword-only; never commits."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from complaints.models import Attachment, InboundMessage


def of(*, session: Session, complaint_id: int) -> list[Attachment]:
    """The complaint's files, in the order they came (erased ones too: the record stays)."""
    query = select(Attachment).where(Attachment.complaint_id == complaint_id)
    return list(session.scalars(query.order_by(Attachment.id)))


def get(*, session: Session, complaint_id: int, attachment_id: int) -> Attachment | None:
    """One file of the complaint, or None (another complaint's is not this one's)."""
    found = session.get(Attachment, attachment_id)
    return found if found is not None and found.complaint_id == complaint_id else None


def usage(*, session: Session, complaint_id: int) -> tuple[int, int]:
    """(how many files the complaint holds, their bytes together), erased ones left out."""
    count, total = session.execute(
        select(func.count(), func.coalesce(func.sum(Attachment.size), 0)).where(
            Attachment.complaint_id == complaint_id, Attachment.erased_at.is_(None)
        )
    ).one()
    return int(count), int(total)


def in_use(*, session: Session, digests: Collection[str]) -> set[str]:
    """Those of `digests` still named by a file not erased or by a kept inbound e-mail."""
    if not digests:
        return set()
    named = select(Attachment.sha256).where(
        Attachment.sha256.in_(digests), Attachment.erased_at.is_(None)
    )
    raw = select(InboundMessage.raw_sha256).where(InboundMessage.raw_sha256.in_(digests))
    return {d for d in session.scalars(named.union(raw)) if d}
