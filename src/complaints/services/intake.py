"""Receive a complaint: store it, its first Event and its promises, in one transaction.

The first pass of analysis (category and severity by rule) runs here, before any date is
told: the date on the confirmation page, in the acknowledgement and in the sweeps is the one
date, computed once under the code of conduct in force on the day of receipt."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from complaints import policy, repository, triage
from complaints.app import App
from complaints.clock import at_or_now, now
from complaints.conduct import LISTED, Terms
from complaints.dates import local_day, zone
from complaints.errors import NotListed, RuleViolation
from complaints.intake import Intake
from complaints.lifecycle import State
from complaints.models import Channel, Complainant, Complaint, IdempotencyKey
from complaints.services import attachments
from complaints.services import terms as promises
from complaints.services.attachments import Upload
from complaints.services.history import SKEW, Actor, record, refresh_wake

# Channels whose date of receipt may come before the day the complaint is recorded.
DATED_CHANNELS = (Channel.LETTER, Channel.EMAIL)


@dataclass(frozen=True)
class Receipt:
    reference: str
    state: str
    acknowledge_by: datetime
    answer_by: datetime
    tracking_token: str


class IdempotencyConflict(RuleViolation):
    """The key was used before for a different complaint."""


def _request_hash(intake: Intake, files: Sequence[Upload] = ()) -> str:
    # Without a postal address, the hash of the requests made before there was one.
    unset = {"postal_address"} if intake.postal_address is None else None
    request = intake.model_dump_json(exclude=unset)
    for upload in files:  # the same form with other files is another complaint
        request += f"\n{hashlib.sha256(upload.data).hexdigest()} {upload.filename}"
    return hashlib.sha256(request.encode()).hexdigest()


def receive(
    *,
    app: App,
    intake: Intake,
    at: datetime | None = None,
    received_on: date | None = None,
    idempotency_key: str | None = None,
    files: Sequence[Upload] = (),
) -> Receipt:
    """Record a new complaint (once per idempotency key), with the `files` sent with it; the
    lifecycle flow acknowledges it. A file refused (FileRefused) records nothing.

    `at` is now, except on a simulated clock; `received_on` is a letter's or an e-mail's date
    of receipt when it is recorded later (bounded), from which the answer's days are counted."""
    intake = listed(app, intake)
    attachments.check(app.settings, files)  # before anything is written
    at = at_or_now(at)
    if not app.db.is_simulated() and abs(at - now()) > SKEW:
        raise RuleViolation("a complaint is recorded now; give a letter's date with received_on")
    received_at = _received_at(app, intake, at, received_on)
    if idempotency_key is not None:
        try:
            return _receive(app, intake, at, received_at, idempotency_key, files)
        except IntegrityError:  # the same key arrived twice at once: the other one won
            pass
    return _receive(app, intake, at, received_at, idempotency_key, files)


def listed(app: App, intake: Intake) -> Intake:
    """`intake` with its customer type and region as keys of the code of conduct's lists (a
    key's words in either language name it too); anything else is refused."""
    rules = app.conduct.intake
    keys: dict[str, str] = {}
    for field in LISTED:
        given = str(getattr(intake, field))
        key = rules.key(field, given)
        if key is None:
            raise NotListed(field, given, [c.key for c in rules.choices(field)])
        keys[field] = key
    return intake.model_copy(update=keys)


def _received_at(app: App, intake: Intake, at: datetime, received_on: date | None) -> datetime:
    """When the complaint was received: now, or the start of a past day of receipt."""
    timezone = app.conduct.organisation.timezone
    today = local_day(at, timezone)
    if received_on is None or received_on == today:
        return at
    if intake.channel not in DATED_CHANNELS:
        raise RuleViolation(f"a {intake.channel.value} complaint is received when it is recorded")
    if received_on > today:
        raise RuleViolation(f"the date of receipt {received_on.isoformat()} is in the future")
    limit = app.conduct.intake.received_on_max_days
    if received_on < today - timedelta(days=limit):
        raise RuleViolation(
            f"the date of receipt {received_on.isoformat()} is more than {limit} days ago"
        )
    return datetime.combine(received_on, time(), tzinfo=zone(timezone)).astimezone(at.tzinfo)


def _receipt(complaint: Complaint) -> Receipt:
    return Receipt(
        reference=complaint.reference,
        state=complaint.state.value,
        acknowledge_by=complaint.acknowledge_by,
        answer_by=complaint.answer_by,
        tracking_token=complaint.tracking_token,
    )


def add(
    session: Session,
    app: App,
    intake: Intake,
    *,
    at: datetime,
    received_at: datetime,
    terms: tuple[int, Terms],
    follows: str | None = None,
    files: Sequence[Upload] = (),
) -> Complaint:
    """Store a new complaint, its first Event and its promises in the caller's transaction
    (`terms`: promises.current(app), read before it began); `follows`: the complaint it
    follows up, if any; `files`: those sent with it, named by the first Event."""
    terms_id, rules = terms
    found = triage.classify(app.conduct, subject=intake.subject, description=intake.description)
    acknowledge = policy.acknowledge_due(rules, at)
    answer = policy.answer_due(
        rules, channel=intake.channel.value, severity=found.severity, received_at=received_at
    )
    referral = policy.referral_due(rules, answer.at)
    person = Complainant(
        name=intake.name,
        email=str(intake.email),
        phone=intake.phone,
        postal_address=intake.postal_address,
        language=intake.language,
    )
    complaint = Complaint(
        reference=repository.allocate_reference(
            session=session, year=local_day(received_at, rules.timezone).year
        ),
        tracking_token=secrets.token_urlsafe(24),
        complainant=person,
        state=State.RECEIVED,
        channel=intake.channel,
        language=intake.language,
        subject=intake.subject,
        description=intake.description,
        desired_outcome=intake.desired_outcome,
        product=intake.product,
        region=intake.region,
        customer_type=intake.customer_type,
        consent_contact=intake.consent_contact,
        consent_share=intake.consent_share,
        received_at=received_at,
        terms_id=terms_id,
        acknowledge_by=acknowledge.at,
        answer_by=answer.at,
        promised_answer_by=answer.at,
        refer_by=referral.at,
        escalation_level=0,
        reviews_done=0,
        category=found.category,
        severity=found.severity,
        priority=found.priority,
        needs_attention=False,
    )
    refresh_wake(complaint)
    session.add(complaint)
    session.flush()
    added = attachments.add_all(session, app, complaint.id, files, at=at)
    record(
        session,
        complaint,
        at=received_at,
        actor=Actor("customer", "complainant"),
        action="received",
        reason=f"complaint received by {intake.channel.value}",
        data={
            "channel": intake.channel.value,
            "received_on": received_at.isoformat() if received_at != at else None,
            "triage": {
                "category": found.category,
                "severity": found.severity,
                "priority": found.priority,
                "keywords": list(found.matched),
            },
            "promises": {
                "acknowledge": acknowledge.rule,
                "answer": answer.rule,
                "referral": referral.rule,
            },
            "terms": terms_id,
            "consent": {"contact": intake.consent_contact, "share": intake.consent_share},
            **({"follows": follows} if follows else {}),
            **({"attachments": [a.id for a in added]} if added else {}),
        },
        visible=True,
        to_state=State.RECEIVED,
    )
    return complaint


def _receive(
    app: App,
    intake: Intake,
    at: datetime,
    received_at: datetime,
    idempotency_key: str | None,
    files: Sequence[Upload],
) -> Receipt:
    terms = promises.current(app)
    with app.db.transaction() as session:
        if idempotency_key is not None:
            seen = session.get(IdempotencyKey, idempotency_key)
            if seen is not None:
                if seen.request_hash != _request_hash(intake, files):
                    raise IdempotencyConflict(
                        "this Idempotency-Key was used for a different complaint"
                    )
                return _receipt(repository.get(session=session, reference=seen.reference))
        complaint = add(
            session, app, intake, at=at, received_at=received_at, terms=terms, files=files
        )
        if idempotency_key is not None:
            session.add(
                IdempotencyKey(
                    key=idempotency_key,
                    request_hash=_request_hash(intake, files),
                    reference=complaint.reference,
                    created_at=at,
                )
            )
        return _receipt(complaint)
