"""Episodes keep the date they first went out while they are drafts again

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 19:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("episode") as batch_op:
        batch_op.add_column(
            sa.Column("first_published_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade():
    with op.batch_alter_table("episode") as batch_op:
        batch_op.drop_column("first_published_at")
