"""Contacts keep every version of an edited item, and their attachments.

An edit used to be dropped as a duplicate (the key was platform + external id), so a comment
edited into a threat was never moderated. Each edit is now a new row with the next
`version`; `attachments` keeps a photo's type, URL and alt text.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contacts") as batch_op:
        batch_op.add_column(
            sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1"))
        )
        batch_op.add_column(sa.Column("attachments", sa.JSON(), nullable=True))
        batch_op.drop_constraint("uq_contacts_platform", type_="unique")
        batch_op.create_unique_constraint(
            "uq_contacts_platform", ["platform", "external_id", "version"]
        )


def downgrade() -> None:
    # The old key allows one row per item: refuse rather than delete the register's versions.
    edited = op.get_bind().scalar(sa.text("SELECT count(*) FROM contacts WHERE version > 1"))
    if edited:
        raise RuntimeError(
            f"{edited} stored contacts are later versions of edited items; the schema before "
            "0008 cannot hold them, so this downgrade stops here and changes nothing"
        )
    with op.batch_alter_table("contacts") as batch_op:
        batch_op.drop_constraint("uq_contacts_platform", type_="unique")
        batch_op.create_unique_constraint("uq_contacts_platform", ["platform", "external_id"])
        batch_op.drop_column("attachments")
        batch_op.drop_column("version")
