"""Tamper-evident history: a hash chain over each complaint's events; existing ones sealed now.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    from sqlalchemy.orm import Session

    from complaints.chain import GENESIS, seal_event
    from complaints.models import Event

    session = Session(bind=op.get_bind())
    previous: dict[int, str] = {}
    for event in session.scalars(sa.select(Event).order_by(Event.complaint_id, Event.id)):
        event.prev_hash = previous.get(event.complaint_id, GENESIS)
        event.hash = previous[event.complaint_id] = seal_event(event)
    session.flush()


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
