"""Consent at intake, anonymisation marks, and seals over the reason's digest (so a reason
can be erased by an anonymisation without breaking the chain). Existing chains are checked
with the former seal and sealed again; a chain already broken keeps its break.

Revision ID: 0006
Revises: 0005
"""

import hashlib
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import complaints.db

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REPORT_COLUMNS = [  # ix_complaints_report as revision 0005 made it
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
]
EVENTS = sa.table(
    "events",
    *(
        sa.column(n)
        for n in ["id", "complaint_id", "actor_kind", "actor", "action", "from_state", "to_state"]
    ),
    *(sa.column(n) for n in ("prev_hash", "hash", "reason_digest")),
    sa.column("at", complaints.db.UTCDateTime(timezone=True)),
    sa.column("reason", sa.Text),
    sa.column("data", sa.JSON),
)


def _reseal() -> None:
    from complaints.chain import GENESIS, seal_v2

    bind = op.get_bind()
    chain: dict[int, tuple[str, str]] = {}  # complaint id -> (last former hash, last new hash)
    broken: set[int] = set()
    for row in bind.execute(sa.select(EVENTS).order_by(EVENTS.c.complaint_id, EVENTS.c.id)):
        digest = hashlib.sha256(row.reason.encode()).hexdigest()
        values: dict[str, Any] = {"reason_digest": digest}
        former, new = chain.get(row.complaint_id, (GENESIS, GENESIS))
        if row.complaint_id not in broken:
            if (row.prev_hash or GENESIS) == former and row.hash == seal_v2(
                former, row, row.reason
            ):
                values |= {"prev_hash": new, "hash": seal_v2(new, row, digest)}
                chain[row.complaint_id] = (row.hash, values["hash"])
            else:  # left as found: `complaints verify` will report it
                broken.add(row.complaint_id)
        bind.execute(EVENTS.update().where(EVENTS.c.id == row.id).values(**values))


def upgrade() -> None:
    # Plain ADD COLUMN (no table copy): SQLite can, and the foreign keys stay untouched.
    when = complaints.db.UTCDateTime(timezone=True)
    op.add_column("complainants", sa.Column("anonymised_at", when, nullable=True))
    # Complaints recorded before consent was asked: contacted as before, nothing shared.
    op.add_column(
        "complaints",
        sa.Column("consent_contact", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.add_column(
        "complaints",
        sa.Column("consent_share", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("complaints", sa.Column("anonymised_at", when, nullable=True))
    op.create_index("ix_complaints_retention", "complaints", ["anonymised_at", "closed_at"])
    # The report reads consent (the follow-up promise is owed only with it) from its index.
    op.drop_index("ix_complaints_report", table_name="complaints")
    op.create_index("ix_complaints_report", "complaints", [*REPORT_COLUMNS, "consent_contact"])
    op.create_index("ix_complaints_open", "complaints", ["state", "answered_at", "answer_by"])
    op.add_column("events", sa.Column("reason_digest", sa.String(length=64), nullable=True))
    op.add_column("events", sa.Column("redacted_at", when, nullable=True))
    _reseal()


def downgrade() -> None:
    for table, column in [
        ("events", "redacted_at"),
        ("events", "reason_digest"),
        ("complaints", "anonymised_at"),
        ("complaints", "consent_share"),
        ("complaints", "consent_contact"),
        ("complainants", "anonymised_at"),
    ]:
        if table == "complaints" and column == "anonymised_at":
            op.drop_index("ix_complaints_retention", table_name="complaints")
            op.drop_index("ix_complaints_open", table_name="complaints")
            op.drop_index("ix_complaints_report", table_name="complaints")
            op.create_index("ix_complaints_report", "complaints", REPORT_COLUMNS)
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column(column)
