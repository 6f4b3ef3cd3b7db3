"""Register detail for the policy engine: action proposals, reviews and appeals.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("actions") as batch_op:
        batch_op.add_column(
            sa.Column("details", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
    with op.batch_alter_table("restrictions") as batch_op:
        batch_op.add_column(sa.Column("last_reviewed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("review_note", sa.Text(), nullable=True))
    with op.batch_alter_table("appeals") as batch_op:
        batch_op.add_column(
            sa.Column("original_decider", sa.String(200), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("late", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("opened_by", sa.String(200), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("appeals") as batch_op:
        batch_op.drop_column("note")
        batch_op.drop_column("opened_by")
        batch_op.drop_column("late")
        batch_op.drop_column("original_decider")
    with op.batch_alter_table("restrictions") as batch_op:
        batch_op.drop_column("review_note")
        batch_op.drop_column("last_reviewed_at")
    with op.batch_alter_table("actions") as batch_op:
        batch_op.drop_column("details")
