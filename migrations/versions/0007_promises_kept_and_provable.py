"""Promises kept and provable: each complaint keeps the terms it was promised under, its
referral date, when its acknowledgement and first answer were accepted by the mail server,
one alert per promise; events keep when they were recorded; seals become keyed (HMAC) and the
chain's head is kept on the complaint; checkpoints.

Existing complaints take the terms of the code of conduct in force at the upgrade (the best
known). Existing chains are checked with the former seal and sealed again under the key; a
chain already broken keeps its break. The acknowledgement's alert no longer uses up the
answer's: an open complaint whose only alert was about its acknowledgement gets its own.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import context, op

import complaints.db

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = complaints.db.UTCDateTime(timezone=True)
REPORT_COLUMNS = [  # ix_complaints_report as revision 0006 made it
    "received_at",
    "product",
    "region",
    "customer_type",
    "channel",
    "category",
    "severity",
    "state",
    "reviews_done",
    "escalation_level",
    "acknowledged_at",
    "acknowledge_by",
    "first_answered_at",
    "promised_answer_by",
    "answered_at",
    "answer_by",
    "survey_at",
    "consent_contact",
]
NEW_COLUMNS = [
    ("terms_id", sa.Integer()),
    ("refer_by", WHEN),
    ("acknowledgement_sent_at", WHEN),
    ("first_answer_sent_at", WHEN),
    ("ack_alerted_at", WHEN),
    ("chain_last_hash", sa.String(length=64)),
    ("chain_last_at", WHEN),
    ("chain_head", sa.String(length=64)),
]
COMPLAINTS = sa.table(
    "complaints",
    *(sa.column(n) for n in ("id", "state", "escalation_level", "terms_id", "chain_length")),
    *(sa.column(n, WHEN) for n in ("answer_by", "refer_by", "ack_alerted_at")),
    *(sa.column(n) for n in ("chain_last_hash", "chain_head")),
    *(sa.column(n, WHEN) for n in ("chain_last_at", "acknowledgement_sent_at")),
    sa.column("first_answer_sent_at", WHEN),
)
EVENTS = sa.table(
    "events",
    *(
        sa.column(n)
        for n in ["id", "complaint_id", "actor_kind", "actor", "action", "from_state", "to_state"]
    ),
    *(sa.column(n) for n in ("prev_hash", "hash", "reason_digest")),
    sa.column("at", WHEN),
    sa.column("recorded_at", WHEN),
    sa.column("data", sa.JSON),
)
OUTBOX = sa.table(
    "outbox",
    *(sa.column(n) for n in ("complaint_id", "kind", "status")),
    sa.column("sent_at", WHEN),
)
ESCALATIONS = sa.table(
    "escalations",
    *(sa.column(n) for n in ("id", "complaint_id", "level", "reason")),
    sa.column("at", WHEN),
)
TERMS = sa.table(
    "promise_terms",
    *(sa.column(n) for n in ("id", "digest")),
    sa.column("data", sa.JSON),
    sa.column("created_at", WHEN),
)
# The former alerts' and referrals' reasons, as codes.
REASONS = {
    "acknowledgement later than promised": "acknowledgement_late",
    "acknowledgement overdue": "acknowledgement_late",
    "answer overdue": "answer_overdue",
    "customer still dissatisfied after the internal review": "dissatisfied",
}


def _terms(bind: Any) -> tuple[int, Any]:
    from complaints.settings import get_settings

    terms = get_settings().conduct.terms()
    bind.execute(
        TERMS.insert().values(
            digest=terms.digest(), data=terms.model_dump(mode="json"), created_at=datetime.now(UTC)
        )
    )
    terms_id = bind.execute(sa.select(TERMS.c.id).where(TERMS.c.digest == terms.digest())).scalar()
    return int(terms_id), terms


def _facts(bind: Any) -> None:
    """Terms, referral dates, the promises kept by the mail server, one alert per promise."""
    from complaints import policy

    terms_id, terms = _terms(bind)
    bind.execute(COMPLAINTS.update().values(terms_id=terms_id))
    for row in bind.execute(
        sa.select(COMPLAINTS.c.id, COMPLAINTS.c.answer_by).where(COMPLAINTS.c.state != "closed")
    ).all():
        refer_by = policy.referral_due(terms, row.answer_by).at
        bind.execute(COMPLAINTS.update().where(COMPLAINTS.c.id == row.id).values(refer_by=refer_by))
    for kind, column in (
        ("acknowledgement", "acknowledgement_sent_at"),
        ("answer", "first_answer_sent_at"),
    ):
        first_sent = (
            sa.select(sa.func.min(OUTBOX.c.sent_at))
            .where(
                OUTBOX.c.complaint_id == COMPLAINTS.c.id,
                OUTBOX.c.kind == kind,
                OUTBOX.c.status == "sent",
            )
            .scalar_subquery()
        )
        bind.execute(COMPLAINTS.update().values({column: first_sent}))
    for old, new in REASONS.items():
        bind.execute(ESCALATIONS.update().where(ESCALATIONS.c.reason == old).values(reason=new))
    bind.execute(
        ESCALATIONS.update()
        .where(ESCALATIONS.c.reason.like("no answer % days after the promised date"))
        .values(reason="no_answer")
    )
    late_ack = (
        sa.select(sa.func.min(ESCALATIONS.c.at))
        .where(
            ESCALATIONS.c.complaint_id == COMPLAINTS.c.id,
            ESCALATIONS.c.reason == "acknowledgement_late",
        )
        .scalar_subquery()
    )
    bind.execute(COMPLAINTS.update().values(ack_alerted_at=late_ack))
    answer_alerts = (
        sa.select(sa.func.count())
        .where(
            ESCALATIONS.c.complaint_id == COMPLAINTS.c.id,
            ESCALATIONS.c.level == "manager",
            ESCALATIONS.c.reason != "acknowledgement_late",
        )
        .scalar_subquery()
    )
    bind.execute(  # the acknowledgement's alert used up the answer's: give it back
        COMPLAINTS.update()
        .where(
            COMPLAINTS.c.escalation_level == 1,
            COMPLAINTS.c.ack_alerted_at.is_not(None),
            answer_alerts == 0,
        )
        .values(escalation_level=0)
    )


def _reseal(bind: Any, key: bytes | None) -> None:
    """Every chain checked with the former seal and sealed again under the key, a few hundred
    complaints at a time (read whole, then written: never an update under an open cursor)."""
    from itertools import groupby
    from types import SimpleNamespace

    from complaints.chain import GENESIS, head_seal, seal, seal_v2

    after = 0
    while True:
        ids = list(
            bind.execute(
                sa.select(sa.distinct(EVENTS.c.complaint_id))
                .where(EVENTS.c.complaint_id > after)
                .order_by(EVENTS.c.complaint_id)
                .limit(500)
            ).scalars()
        )
        if not ids:
            return
        if key is None:
            raise RuntimeError("upgrading sealed histories needs the seal key")
        rows = bind.execute(
            sa.select(EVENTS)
            .where(EVENTS.c.complaint_id.in_(ids))
            .order_by(EVENTS.c.complaint_id, EVENTS.c.id)
        ).all()
        for complaint_id, group in groupby(rows, key=lambda row: row.complaint_id):
            mine = list(group)
            former = new = last = GENESIS
            broken = False
            for row in mine:
                last = row.hash
                broken = broken or (row.prev_hash or GENESIS) != former
                broken = broken or row.hash != seal_v2(former, row, row.reason_digest)
                if broken:  # left as found from here: `complaints verify` reports it
                    continue
                moved = SimpleNamespace(**{**row._asdict(), "recorded_at": None})
                sealed = seal(key, new, moved, row.reason_digest)
                bind.execute(
                    EVENTS.update().where(EVENTS.c.id == row.id).values(prev_hash=new, hash=sealed)
                )
                former, new, last = row.hash, sealed, sealed
            bind.execute(
                COMPLAINTS.update()
                .where(COMPLAINTS.c.id == complaint_id)
                .values(
                    chain_length=len(mine),
                    chain_last_hash=last,
                    chain_last_at=mine[-1].at,
                    chain_head=head_seal(key, complaint_id, len(mine), last),
                )
            )
        after = ids[-1]


def upgrade() -> None:
    op.create_table(
        "installation",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "promise_terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("digest"),
    )
    op.create_table(
        "checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("seal", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    # Plain ADD COLUMN (no table copy): SQLite can, and the foreign keys stay untouched;
    # SQLite takes the new column's reference inline, which Alembic does not write.
    for name, kind in NEW_COLUMNS:
        if name == "terms_id" and op.get_bind().dialect.name == "sqlite":
            op.execute(
                "ALTER TABLE complaints ADD COLUMN terms_id INTEGER REFERENCES promise_terms (id)"
            )
            continue
        op.add_column("complaints", sa.Column(name, kind, nullable=True))
        if name == "terms_id":
            op.create_foreign_key(
                "complaints_terms_id_fkey", "complaints", "promise_terms", ["terms_id"], ["id"]
            )
    op.add_column(
        "complaints",
        sa.Column("chain_length", sa.Integer(), nullable=False, server_default=sa.text("0")),
    )
    op.add_column("events", sa.Column("recorded_at", WHEN, nullable=True))
    op.create_index(
        "ix_complaints_ack_pending",
        "complaints",
        ["acknowledgement_sent_at", "ack_alerted_at", "acknowledge_by"],
    )
    op.drop_index("ix_complaints_report", table_name="complaints")
    op.create_index(
        "ix_complaints_report",
        "complaints",
        [*REPORT_COLUMNS, "acknowledgement_sent_at", "first_answer_sent_at"],
    )
    bind = op.get_bind()
    _facts(bind)
    _reseal(bind, context.config.attributes.get("seal_key"))


def downgrade() -> None:
    raise NotImplementedError(
        "revision 0007 cannot be undone: the histories are sealed under a key now, which the"
        " former code cannot check; restore the backup taken before the upgrade"
    )
