"""Unattended runs: the leader lease, the shared job schedule, summary sends, reminders.

Also indexes for the weekly summary's date ranges.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scheduler_leases",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=True),
        sa.Column("acquired_at", sa.DateTime(), nullable=True),
        sa.Column("renewed_at", sa.DateTime(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduler_leases")),
    )
    op.create_table(
        "scheduled_jobs",
        sa.Column("job_id", sa.String(length=120), nullable=False),
        sa.Column("schedule", sa.Text(), nullable=False),
        sa.Column("next_run_at", sa.DateTime(), nullable=True),
        sa.Column("last_tick", sa.DateTime(), nullable=True),
        sa.Column("last_started_at", sa.DateTime(), nullable=True),
        sa.Column("last_finished_at", sa.DateTime(), nullable=True),
        sa.Column("last_status", sa.String(length=16), nullable=True),
        sa.Column("last_result", sa.Text(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_holder", sa.String(length=200), nullable=True),
        sa.Column("runs", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_scheduled_jobs")),
    )
    op.create_table(
        "summary_sends",
        sa.Column("week", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("recipients", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("message_id", sa.String(length=250), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("week", name=op.f("pk_summary_sends")),
    )
    with op.batch_alter_table("manual_tasks") as batch_op:
        batch_op.add_column(sa.Column("restriction_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("appeal_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("dedupe_key", sa.String(length=120), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_manual_tasks_restriction_id_restrictions"),
            "restrictions",
            ["restriction_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_manual_tasks_appeal_id_appeals"), "appeals", ["appeal_id"], ["id"]
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_manual_tasks_dedupe_key"), ["dedupe_key"]
        )
        batch_op.create_index(
            batch_op.f("ix_manual_tasks_restriction_id"), ["restriction_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_manual_tasks_appeal_id"), ["appeal_id"], unique=False)
    with op.batch_alter_table("contacts") as batch_op:
        batch_op.create_index("ix_contacts_created_at", ["created_at"], unique=False)
    with op.batch_alter_table("decisions") as batch_op:
        batch_op.create_index("ix_decisions_reversed_at", ["reversed_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("decisions") as batch_op:
        batch_op.drop_index("ix_decisions_reversed_at")
    with op.batch_alter_table("contacts") as batch_op:
        batch_op.drop_index("ix_contacts_created_at")
    with op.batch_alter_table("manual_tasks") as batch_op:
        batch_op.drop_index(batch_op.f("ix_manual_tasks_appeal_id"))
        batch_op.drop_index(batch_op.f("ix_manual_tasks_restriction_id"))
        batch_op.drop_constraint(batch_op.f("uq_manual_tasks_dedupe_key"), type_="unique")
        batch_op.drop_constraint(
            batch_op.f("fk_manual_tasks_appeal_id_appeals"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_manual_tasks_restriction_id_restrictions"), type_="foreignkey"
        )
        batch_op.drop_column("dedupe_key")
        batch_op.drop_column("appeal_id")
        batch_op.drop_column("restriction_id")
    op.drop_table("summary_sends")
    op.drop_table("scheduled_jobs")
    op.drop_table("scheduler_leases")
