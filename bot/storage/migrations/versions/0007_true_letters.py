"""What tenants are told is true: the scores a decision used, restrictions that lapse, who
reviewed, why a case closed.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("decisions") as batch_op:
        # The category scores and thresholds the decision was made with (`modbot explain`).
        batch_op.add_column(sa.Column("scores", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("thresholds", sa.JSON(), nullable=True))
    with op.batch_alter_table("restrictions") as batch_op:
        # When the restriction ends by itself (Selwood: 12 months from the letter).
        batch_op.add_column(sa.Column("ends_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("reviewed_by", sa.String(200), nullable=True))
        batch_op.add_column(sa.Column("end_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("cases") as batch_op:
        batch_op.add_column(sa.Column("closed_by", sa.String(200), nullable=True))
        batch_op.add_column(sa.Column("close_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("appeals") as batch_op:
        # The decision appealed when it is not a restriction (a warning, under Derby 12.1).
        batch_op.add_column(
            sa.Column(
                "action_id",
                sa.Integer(),
                sa.ForeignKey("actions.id", name="fk_appeals_action_id_actions"),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("explanation", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("appeals") as batch_op:
        batch_op.drop_column("explanation")
        batch_op.drop_column("action_id")
    with op.batch_alter_table("cases") as batch_op:
        batch_op.drop_column("close_reason")
        batch_op.drop_column("closed_by")
    with op.batch_alter_table("restrictions") as batch_op:
        batch_op.drop_column("end_reason")
        batch_op.drop_column("reviewed_by")
        batch_op.drop_column("ends_at")
    with op.batch_alter_table("decisions") as batch_op:
        batch_op.drop_column("thresholds")
        batch_op.drop_column("scores")
