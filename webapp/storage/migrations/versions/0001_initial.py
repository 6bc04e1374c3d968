"""Initial schema: sessions, drafts, uploads, submissions, linked requests.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_session",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("gemeente", sa.String(64), nullable=False),
        sa.Column("bsn", sa.String(9), nullable=False),
        sa.Column("draft_id", sa.String(32), nullable=True),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_web_session_last_seen", "web_session", ["last_seen"])
    op.create_table(
        "draft",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("gemeente", sa.String(64), nullable=False),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("config_versie", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_reference", sa.String(32), nullable=True),
    )
    op.create_index("ix_draft_gemeente", "draft", ["gemeente"])
    op.create_index("ix_draft_owner", "draft", ["owner"])
    op.create_table(
        "upload",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("draft_id", sa.String(32), sa.ForeignKey("draft.id"), nullable=False),
        sa.Column("document", sa.String(64), nullable=False),
        sa.Column("bestandsnaam", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(64), nullable=False),
        sa.Column("grootte", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("draft_id", "document"),
    )
    op.create_index("ix_upload_draft_id", "upload", ["draft_id"])
    op.create_table(
        "submission",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("reference", sa.String(32), nullable=False, unique=True),
        sa.Column(
            "draft_id", sa.String(32), sa.ForeignKey("draft.id"), nullable=False, unique=True
        ),
        sa.Column("gemeente", sa.String(64), nullable=False),
        sa.Column("config_versie", sa.String(64), nullable=False),
        sa.Column("aangever_bsn", sa.String(9), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("signalen", sa.JSON(), nullable=False),
        sa.Column("is_test", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_submission_gemeente", "submission", ["gemeente"])
    op.create_table(
        "linked_request",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("submission_id", sa.Integer(), sa.ForeignKey("submission.id"), nullable=False),
        sa.Column("soort", sa.String(64), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
    )
    op.create_index("ix_linked_request_submission_id", "linked_request", ["submission_id"])


def downgrade() -> None:
    op.drop_table("linked_request")
    op.drop_table("submission")
    op.drop_table("upload")
    op.drop_table("draft")
    op.drop_table("web_session")
