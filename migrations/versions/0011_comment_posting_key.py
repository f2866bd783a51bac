"""A posting key on comments (the same post sent twice is stored once); the
heartbeat row /healthz writes

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 16:15:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "heartbeat",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_heartbeat")),
    )
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("posting_key", sa.String(length=64)))
        batch_op.add_column(sa.Column("posting_digest", sa.String(length=64)))
        batch_op.create_unique_constraint(
            batch_op.f("uq_comment_posting_key"), ["posting_key"]
        )


def downgrade():
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_comment_posting_key"), type_="unique")
        batch_op.drop_column("posting_digest")
        batch_op.drop_column("posting_key")
    op.drop_table("heartbeat")
