"""Index episode.updated_at for feed polling

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 06:47:30.076915

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():

    with op.batch_alter_table("episode", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_episode_updated_at"), ["updated_at"], unique=False
        )


def downgrade():

    with op.batch_alter_table("episode", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_episode_updated_at"))
