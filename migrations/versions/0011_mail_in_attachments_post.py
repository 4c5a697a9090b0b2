"""Every way a complaint arrives: inbound e-mail (each once, by Message-ID), attachments in a
content-addressed store, letters for customers without e-mail (the outbox's medium, and the
complainant's postal address), and e-mails returned undelivered (outbox status "bounced").

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import complaints.db

WHEN = complaints.db.UTCDateTime(timezone=True)

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inbound_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("message_id", sa.String(length=300), nullable=False, unique=True),
        sa.Column("received_at", WHEN, nullable=False),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("sender", sa.String(length=254), nullable=False),
        sa.Column("complaint_id", sa.Integer(), sa.ForeignKey("complaints.id"), nullable=True),
        sa.Column("raw_sha256", sa.String(length=64), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
    )
    op.create_index("ix_inbound_messages_outcome", "inbound_messages", ["outcome"])
    op.create_index("ix_inbound_messages_complaint_id", "inbound_messages", ["complaint_id"])
    op.create_index("ix_inbound_sender_received", "inbound_messages", ["sender", "received_at"])
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("complaint_id", sa.Integer(), sa.ForeignKey("complaints.id"), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("added_at", WHEN, nullable=False),
        sa.Column(
            "inbound_id", sa.Integer(), sa.ForeignKey("inbound_messages.id"), nullable=True
        ),
        sa.Column("erased_at", WHEN, nullable=True),
    )
    op.create_index("ix_attachments_complaint_id", "attachments", ["complaint_id"])
    op.create_index("ix_attachments_sha256", "attachments", ["sha256"])
    op.add_column(
        "outbox", sa.Column("medium", sa.String(length=8), nullable=False, server_default="email")
    )
    op.add_column("complainants", sa.Column("postal_address", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("complainants", "postal_address")
    op.drop_column("outbox", "medium")
    op.drop_table("attachments")
    op.drop_table("inbound_messages")
