"""The hoofdbewoner's online consent: a table of consent requests, and outbox rows per task.

``toestemming`` holds one request per submission that asks online consent; the BSNs and what
the hoofdbewoner is shown are encrypted like the rest of the personal data. The outbox gains
``taak``: ``melding`` (every existing row) or ``toestemming``, the outcome of the consent sent
to a back office after the report itself, so a row is unique per submission, target and task.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Encrypted columns are text (Fernet tokens; webapp.storage.crypto).
# SQLite names no constraint; this names the reflected ones, so the batch copy can drop it.
NAMING = {"uq": "uq_%(table_name)s_%(column_0_N_name)s"}
OLD_UNIQUE = {
    "postgresql": "outbox_submission_id_target_index_key",
    "sqlite": "uq_outbox_submission_id_target_index",
}


def upgrade() -> None:
    op.create_table(
        "toestemming",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "submission_id",
            sa.Integer(),
            sa.ForeignKey("submission.id"),
            nullable=False,
            unique=True,
        ),
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("gemeente", sa.String(64), nullable=False),
        sa.Column("hoofdbewoner", sa.String(64), nullable=False),
        sa.Column("hoofdbewoner_bsn", sa.Text(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("termijn", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("besloten_op", sa.DateTime(timezone=True), nullable=True),
        sa.Column("gever_bsn", sa.Text(), nullable=True),
    )
    op.create_index("ix_toestemming_reference", "toestemming", ["reference"])
    op.create_index("ix_toestemming_hoofdbewoner", "toestemming", ["hoofdbewoner"])
    op.create_index("ix_toestemming_status", "toestemming", ["status"])
    op.create_index("ix_toestemming_termijn", "toestemming", ["termijn"])

    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("outbox", naming_convention=NAMING) as batch:
        batch.add_column(sa.Column("taak", sa.String(16), nullable=False, server_default="melding"))
        batch.drop_constraint(OLD_UNIQUE.get(dialect, OLD_UNIQUE["postgresql"]), type_="unique")
        batch.create_unique_constraint(
            "uq_outbox_submission_id_target_index_taak", ["submission_id", "target_index", "taak"]
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.execute("DELETE FROM outbox WHERE taak <> 'melding'")
    with op.batch_alter_table("outbox", naming_convention=NAMING) as batch:
        batch.drop_constraint("uq_outbox_submission_id_target_index_taak", type_="unique")
        batch.create_unique_constraint(
            OLD_UNIQUE.get(dialect, OLD_UNIQUE["postgresql"]), ["submission_id", "target_index"]
        )
        batch.drop_column("taak")
    op.drop_table("toestemming")
