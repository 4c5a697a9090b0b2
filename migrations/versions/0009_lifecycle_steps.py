"""The steps real complaints need: information asked of the customer (the answer's clock
paused), reopening, withdrawal, merging, the assignee's reminder; where staff reminders go.

The mediator's outcome gets its own column (the lifecycle's guard reads it): filled from the
escalations that have one.

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import complaints.db

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = complaints.db.UTCDateTime(timezone=True)
REPORT_COLUMNS = [  # ix_complaints_report as revision 0007 made it
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
    "acknowledgement_sent_at",
    "first_answer_sent_at",
]
# The register reads whether the answer was still owed: paused, withdrawn, merged, reopened.
REPORT_ADDED = ["paused_at", "paused_days", "closure_reason", "closed_at", "reopened"]
MOMENTS = (
    "assignee_reminded_at",
    "mediation_outcome_at",
    "paused_at",
    "info_due_by",
    "info_remind_at",
)


def upgrade() -> None:
    with op.batch_alter_table("complaints") as batch:
        for name in MOMENTS:
            batch.add_column(sa.Column(name, WHEN, nullable=True))
        batch.add_column(sa.Column("resume_state", sa.String(length=24), nullable=True))
        batch.add_column(sa.Column("paused_days", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("reopened", sa.Integer(), nullable=False, server_default="0"))
    # SQLite adds a column with its reference in place; a copy of the table (batch mode) would
    # have to drop the table, which its foreign keys, on, refuse.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE complaints ADD COLUMN merged_into_id INTEGER REFERENCES complaints (id)"
        )
    else:
        op.add_column("complaints", sa.Column("merged_into_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "fk_complaints_merged_into_id", "complaints", "complaints", ["merged_into_id"], ["id"]
        )
    op.create_index("ix_complaints_merged_into_id", "complaints", ["merged_into_id"])
    with op.batch_alter_table("staff") as batch:
        batch.add_column(sa.Column("email", sa.String(length=254), nullable=True))
    op.drop_index("ix_complaints_report", table_name="complaints")
    op.create_index("ix_complaints_report", "complaints", REPORT_COLUMNS + REPORT_ADDED)
    op.execute(
        "UPDATE complaints SET mediation_outcome_at = (SELECT e.outcome_at FROM escalations e"
        " WHERE e.complaint_id = complaints.id AND e.level = 'mediator'"
        " ORDER BY e.at DESC, e.id DESC LIMIT 1)"
        " WHERE state IN ('with_mediator', 'closed')"
    )


def downgrade() -> None:
    op.drop_index("ix_complaints_report", table_name="complaints")
    op.create_index("ix_complaints_report", "complaints", REPORT_COLUMNS)
    with op.batch_alter_table("staff") as batch:
        batch.drop_column("email")
    op.drop_index("ix_complaints_merged_into_id", table_name="complaints")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("fk_complaints_merged_into_id", "complaints", type_="foreignkey")
    # SQLite drops a column in place (3.35+), a referencing one included.
    for name in (*MOMENTS, "resume_state", "paused_days", "reopened", "merged_into_id"):
        op.drop_column("complaints", name)
