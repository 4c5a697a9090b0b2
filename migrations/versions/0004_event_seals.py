"""Tamper-evident history: a hash chain over each complaint's events; existing ones sealed now.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import complaints.db

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The table as it was at this revision: later models must not leak into this migration.
EVENTS = sa.table(
    "events",
    *(
        sa.column(n)
        for n in [
            "id",
            "complaint_id",
            "actor_kind",
            "actor",
            "action",
            "from_state",
            "to_state",
            "prev_hash",
            "hash",
        ]
    ),
    sa.column("at", complaints.db.UTCDateTime(timezone=True)),
    sa.column("reason", sa.Text),
    sa.column("data", sa.JSON),
)


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    from complaints.chain import GENESIS, seal_v2

    bind = op.get_bind()
    events = EVENTS
    previous: dict[int, str] = {}
    rows = bind.execute(sa.select(events).order_by(events.c.complaint_id, events.c.id)).all()
    for row in rows:
        prev = previous.get(row.complaint_id, GENESIS)
        previous[row.complaint_id] = seal_v2(prev, row, row.reason)
        bind.execute(
            events.update()
            .where(events.c.id == row.id)
            .values(prev_hash=prev, hash=previous[row.complaint_id])
        )


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
