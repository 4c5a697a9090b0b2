"""Staff page sessions: a random id in the cookie, stored hashed, ended by logout, by an idle
spell, or by revoking the member. Not complaint events: nothing of them enters a history."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from complaints.app import App
from complaints.clock import at_or_now
from complaints.models import StaffMember, StaffSession
from complaints.services.staff import Staff, active_member, digest

# last_seen_at is written at most this often: a page view is not a write each time.
TOUCH_EVERY = timedelta(minutes=1)
# Ended and idle sessions are forgotten after this long.
KEEP = timedelta(days=30)


def _idle(app: App) -> timedelta:
    return timedelta(hours=app.settings.staff_session_idle_hours)


def sign_in(
    *, app: App, token: str, replacing: str | None = None, at: datetime | None = None
) -> str | None:
    """A new session for the member whose valid token this is, or None (nothing changes).
    The session the browser held before (`replacing`) ends: an id is never kept across a
    sign-in. Returns the new id, for the cookie; only its hash is stored."""
    at = at_or_now(at)
    session_id = secrets.token_urlsafe(32)
    with app.db.transaction() as session:
        member = active_member(session, token=token, at=at)
        if member is None:
            return None
        if replacing:
            _end(session, replacing, at)
        session.execute(delete(StaffSession).where(StaffSession.last_seen_at < at - KEEP))
        session.add(
            StaffSession(
                id_hash=digest(session_id), member_id=member.id, created_at=at, last_seen_at=at
            )
        )
    return session_id


def member(*, app: App, session_id: str, at: datetime | None = None) -> Staff | None:
    """The active member of a live session (not ended, not idle too long), or None; the
    session is seen now."""
    at = at_or_now(at)
    with app.db.reader() as session:
        found = session.execute(
            select(StaffSession, StaffMember)
            .join(StaffMember, StaffMember.id == StaffSession.member_id)
            .where(StaffSession.id_hash == digest(session_id))
        ).one_or_none()
    if found is None:
        return None
    live, person = found
    if live.ended_at is not None or live.last_seen_at + _idle(app) <= at:
        return None
    if person.revoked_at is not None or person.expires_at <= at:
        return None
    if at - live.last_seen_at >= TOUCH_EVERY:
        with app.db.transaction() as session:
            session.execute(
                update(StaffSession)
                .where(StaffSession.id == live.id, StaffSession.last_seen_at < at)
                .values(last_seen_at=at)
            )
    return Staff(name=person.name, role=person.role)


def sign_out(*, app: App, session_id: str, at: datetime | None = None) -> None:
    """End the session with this id (nothing happens if there is none)."""
    with app.db.transaction() as session:
        _end(session, session_id, at_or_now(at))


def _end(session: Session, session_id: str, at: datetime) -> None:
    session.execute(
        update(StaffSession)
        .where(StaffSession.id_hash == digest(session_id), StaffSession.ended_at.is_(None))
        .values(ended_at=at)
    )
