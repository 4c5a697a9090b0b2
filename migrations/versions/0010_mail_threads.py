"""E-mail threads: each outbox message keeps the Message-ID it answers and the thread's
references, so that every e-mail of a complaint to one person is one conversation.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("outbox", sa.Column("in_reply_to", sa.String(length=200), nullable=True))
    op.add_column("outbox", sa.Column("thread_refs", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    op.drop_column("outbox", "thread_refs")
    op.drop_column("outbox", "in_reply_to")
