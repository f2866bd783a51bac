"""Rendered feeds shared by every worker: one row per feed path, its current
version's bytes

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 17:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "rendered_feed",
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("rendered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("path", name=op.f("pk_rendered_feed")),
    )


def downgrade():
    op.drop_table("rendered_feed")
