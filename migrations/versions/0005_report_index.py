"""A covering index for the report: a period's complaints read from the index alone.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = [
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


def upgrade() -> None:
    op.create_index("ix_complaints_report", "complaints", COLUMNS, unique=False)


def downgrade() -> None:
    op.drop_index("ix_complaints_report", table_name="complaints")
