"""Staff sessions: signing in on the staff pages opens a server-side session; the cookie holds
its random id, stored here only as its SHA-256, never the member's API token.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import complaints.db

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = complaints.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("last_seen_at", WHEN, nullable=False),
        sa.Column("ended_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("id_hash"),
    )
    op.create_index("ix_staff_sessions_member_id", "staff_sessions", ["member_id"])


def downgrade() -> None:
    # Sessions are disposable: dropping them signs everyone out of the staff pages.
    op.drop_index("ix_staff_sessions_member_id", table_name="staff_sessions")
    op.drop_table("staff_sessions")
