"""Staff members and their API tokens: random, stored hashed, expiring, revocable; revoking a
member, or giving them a new token, ends their page sessions."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from complaints import repository
from complaints.app import App
from complaints.clock import at_or_now
from complaints.errors import Forbidden, Invalid, RuleViolation
from complaints.lifecycle import Role
from complaints.models import Complaint, StaffMember, StaffSession
from complaints.services.history import Actor, recorded_time, settle

ROLES = ("agent", "manager", "admin")
RANK = {role: rank for rank, role in enumerate(ROLES)}


@dataclass(frozen=True)
class Staff:
    name: str
    role: str

    def may(self, role: str) -> bool:
        """Whether this member has at least `role` (admin ⊃ manager ⊃ agent)."""
        return RANK[self.role] >= RANK[role]

    def require(self, role: str) -> None:
        """Forbidden unless this member has at least `role`."""
        if not self.may(role):
            raise Forbidden(f"this needs the {role} role; {self.name} is {self.role}")

    @property
    def lifecycle_role(self) -> Role:
        """The lifecycle's role: an administrator takes a manager's steps."""
        return Role.MANAGER if self.may("manager") else Role.AGENT


class UnknownStaff(RuleViolation):
    """Every step names who took it: an active member of the staff."""


def require_member(session: Session, name: str, *, at: datetime, field: str | None = None) -> Staff:
    """The active staff member called `name`, or UnknownStaff: accountability rests on a
    known person, never on a free string."""
    name = name.strip()
    member = session.scalars(select(StaffMember).where(StaffMember.name == name)).one_or_none()
    if member is None or member.revoked_at is not None or member.expires_at <= at:
        known = "" if member is None else " (revoked or expired)"
        raise UnknownStaff(
            f"{name!r} is not an active staff member{known}: give --by a name from"
            " `complaints staff list`, or add it with `complaints staff add`"
            if name
            else "say who acts (--by NAME or COMPLAINTS_STAFF_NAME): every step has an owner",
            key="unknown_member",
            field=field,  # the form's field that named the member, when one did
        )
    return Staff(name=member.name, role=member.role)


def staff_actor(session: Session, name: str, *, at: datetime) -> Actor:
    """Who takes a step dated `at`: a known member, active when the step is recorded (a step
    dated back cannot borrow a token's past)."""
    member = require_member(session, name, at=recorded_time(session, at))
    return Actor("staff", member.name, member.lifecycle_role)


def digest(secret: str) -> str:
    """The SHA-256 under which a token or a session id is stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _end_sessions(session: Session, member: StaffMember, at: datetime) -> None:
    session.execute(
        update(StaffSession)
        .where(StaffSession.member_id == member.id, StaffSession.ended_at.is_(None))
        .values(ended_at=at)
    )


def add(
    *,
    app: App,
    name: str,
    role: str,
    days: int = 365,
    email: str | None = None,
    at: datetime | None = None,
) -> str:
    """Create a member (or give an existing one a new token); the token is shown only now.
    Their reminders go to `email` (kept when not given again), else to the manager."""
    at = at_or_now(at)
    name = name.strip()
    if role not in ROLES:
        raise Invalid(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if not name or len(name) > 120 or any(c in name for c in "\r\n"):
        raise Invalid("a staff name is one line of at most 120 characters")
    if email is not None:
        email = _address(email)
    token = secrets.token_urlsafe(32)
    with app.db.transaction() as session:
        member = session.scalars(select(StaffMember).where(StaffMember.name == name)).one_or_none()
        if member is None:
            member = StaffMember(name=name, created_at=at)
            session.add(member)
        else:  # the former token is gone: so are the sessions it opened
            _end_sessions(session, member, at)
        member.role, member.token_hash = role, digest(token)
        member.email = email or member.email
        member.expires_at, member.revoked_at = at + timedelta(days=days), None
    return token


def _address(email: str) -> str:
    from pydantic import TypeAdapter, ValidationError
    from pydantic.networks import EmailStr

    try:
        return str(TypeAdapter(EmailStr).validate_python(email.strip()))
    except ValidationError:
        raise Invalid(f"not an e-mail address: {email!r}") from None


def reminder_address(session: Session, app: App, name: str) -> tuple[str, str]:
    """Where a member's reminders go: their address, else the manager's."""
    found = session.scalar(select(StaffMember.email).where(StaffMember.name == name))
    org = app.conduct.organisation
    return (name, found) if found else (org.manager_name, str(org.manager_email))


def revoke(*, app: App, name: str, at: datetime | None = None) -> None:
    """Revoke a member's token and end their page sessions, at once."""
    at = at_or_now(at)
    with app.db.transaction() as session:
        member = session.scalars(select(StaffMember).where(StaffMember.name == name)).one_or_none()
        if member is None:
            raise RuleViolation(f"no staff member {name!r}")
        member.revoked_at = at
        _end_sessions(session, member, at)


def active_member(session: Session, *, token: str, at: datetime) -> StaffMember | None:
    """The member whose valid (known, unrevoked, unexpired) token this is, or None."""
    hashed = digest(token)
    member = session.scalars(
        select(StaffMember).where(StaffMember.token_hash == hashed)
    ).one_or_none()
    if member is None or not hmac.compare_digest(member.token_hash, hashed):
        return None
    if member.revoked_at is not None or member.expires_at <= at:
        return None
    return member


def authenticate(*, app: App, token: str, at: datetime | None = None) -> Staff | None:
    """The member whose valid token this is, or None."""
    with app.db.reader() as session:
        member = active_member(session, token=token, at=at_or_now(at))
        return None if member is None else Staff(name=member.name, role=member.role)


def members(*, app: App) -> list[dict[str, str | None]]:
    with app.db.reader() as session:
        return [
            {
                "name": m.name,
                "role": m.role,
                "expires_at": m.expires_at.isoformat(),
                "revoked_at": m.revoked_at.isoformat() if m.revoked_at else None,
            }
            for m in session.scalars(select(StaffMember).order_by(StaffMember.name))
        ]


def active_names(*, app: App, at: datetime | None = None) -> list[str]:
    """The members who may act now (neither revoked nor expired): whom a complaint may be
    assigned to."""
    at = at_or_now(at)
    with app.db.reader() as session:
        query = select(StaffMember.name).where(
            StaffMember.revoked_at.is_(None), StaffMember.expires_at > at
        )
        return list(session.scalars(query.order_by(StaffMember.name)))


def taking(
    session: Session, reference: str, by: str, at: datetime | None
) -> tuple[Complaint, Actor, datetime]:
    """A staff step's start: the complaint, locked; the known member acting; the step's time,
    checked (never in the future, never before the complaint's last event)."""
    at = at_or_now(at)
    actor = staff_actor(session, by, at=at)
    complaint = repository.get(session=session, reference=reference, lock=True)
    return complaint, actor, settle(session, complaint, at, actor)
