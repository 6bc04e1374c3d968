"""The outbox: one row per submission and delivery target, worked off by the delivery runner.

No personal data in it (which target, its state, the target's own id, operator text), so no
column is encrypted. Existing submissions get no rows: what was submitted before delivery
existed stays in this database only, as before.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("submission_id", sa.Integer(), sa.ForeignKey("submission.id"), nullable=False),
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("gemeente", sa.String(64), nullable=False),
        sa.Column("target_index", sa.Integer(), nullable=False),
        sa.Column("soort", sa.String(64), nullable=False),
        sa.Column("options_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("round_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(128), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("kenmerk", sa.String(1000), nullable=True),
        sa.Column("detail", sa.String(2000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("submission_id", "target_index"),
    )
    op.create_index("ix_outbox_submission_id", "outbox", ["submission_id"])
    op.create_index("ix_outbox_reference", "outbox", ["reference"])
    op.create_index("ix_outbox_status", "outbox", ["status"])
    op.create_index("ix_outbox_next_attempt_at", "outbox", ["next_attempt_at"])


def downgrade() -> None:
    op.drop_table("outbox")
