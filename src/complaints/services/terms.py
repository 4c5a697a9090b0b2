"""The promises each complaint was made: the code of conduct's terms on the day it was
received, stored once per version and read back by the complaint ever after."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from complaints import db
from complaints.app import App
from complaints.clock import now
from complaints.conduct import Terms
from complaints.models import Complaint, PromiseTerms


def current(app: App) -> tuple[int, Terms]:
    """The id and terms of the code of conduct in force, stored on first use in a transaction
    of its own (so that the id cached here exists whatever happens to the caller's)."""
    terms = app.conduct.terms()
    key = ("terms id", terms.digest())
    cached = app.db.cache.get(key)
    if isinstance(cached, int):
        return cached, terms
    query = select(PromiseTerms.id).where(PromiseTerms.digest == terms.digest())
    with app.db.transaction() as session:
        found = session.scalar(query)
        if found is None:
            row = PromiseTerms(
                digest=terms.digest(), data=terms.model_dump(mode="json"), created_at=now()
            )
            try:
                with session.begin_nested():
                    session.add(row)
                found = row.id
            except IntegrityError:  # another process stored them first
                found = session.scalar(query)
    assert found is not None
    app.db.cache[key], app.db.cache[("terms", found)] = found, terms
    return found, terms


def of(session: Session, complaint: Complaint) -> Terms:
    """The terms `complaint` was made (stored rows never change: read once per process)."""
    if complaint.terms_id is None:
        raise LookupError(f"{complaint.reference} has no recorded terms")
    cache = db.of(session).cache
    key = ("terms", complaint.terms_id)
    terms = cache.get(key)
    if not isinstance(terms, Terms):
        data = session.scalar(
            select(PromiseTerms.data).where(PromiseTerms.id == complaint.terms_id)
        )
        terms = Terms.model_validate(data)
        cache[key] = terms
    return terms
