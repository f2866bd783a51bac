"""Host session version, to end a host's sessions on logout and password change

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 09:12:41.530214

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("host", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "session_version", sa.Integer(), nullable=False, server_default="0"
            )
        )


def downgrade():
    with op.batch_alter_table("host", schema=None) as batch_op:
        batch_op.drop_column("session_version")
