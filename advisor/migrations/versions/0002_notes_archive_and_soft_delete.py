"""Notes and agreed plans; archiving, soft delete and optimistic locking of clients.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("clients") as batch:
        batch.add_column(sa.Column("archived_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("deleted_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("assessments") as batch:
        batch.add_column(sa.Column("catalog_version", sa.String(40), nullable=False, server_default=""))
    op.create_table(
        "notes",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "client_id", sa.String(32), sa.ForeignKey("clients.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=True),
    )
    op.create_index("ix_notes_client", "notes", ["client_id", "created_at"])


def downgrade() -> None:
    op.drop_table("notes")
    with op.batch_alter_table("assessments") as batch:
        batch.drop_column("catalog_version")
    with op.batch_alter_table("clients") as batch:
        batch.drop_column("version")
        batch.drop_column("deleted_at")
        batch.drop_column("archived_at")
