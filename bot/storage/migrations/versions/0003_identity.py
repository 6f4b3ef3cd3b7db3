"""Identity and personal data: suspected connections between accounts, and purge markers.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "account_connections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("other_account_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=60), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("confidence", sa.Double(), nullable=False),
        sa.Column("state", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_account_connections_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["other_account_id"],
            ["accounts.id"],
            name=op.f("fk_account_connections_other_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_connections")),
        sa.UniqueConstraint(
            "account_id",
            "other_account_id",
            "reason",
            name=op.f("uq_account_connections_account_id"),
        ),
    )
    with op.batch_alter_table("account_connections") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_account_connections_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_account_connections_other_account_id"),
            ["other_account_id"],
            unique=False,
        )
    with op.batch_alter_table("contacts") as batch_op:
        batch_op.add_column(sa.Column("purged_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("cases") as batch_op:
        batch_op.add_column(sa.Column("anonymised_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch_op:
        batch_op.drop_column("anonymised_at")
    with op.batch_alter_table("contacts") as batch_op:
        batch_op.drop_column("purged_at")
    with op.batch_alter_table("account_connections") as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_connections_other_account_id"))
        batch_op.drop_index(batch_op.f("ix_account_connections_account_id"))
    op.drop_table("account_connections")
