"""The spam filter: a "filter" moderation mode, the default for new shows, and
the reason moderation held a comment

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 17:45:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("moderation_reason", sa.String(length=255)))
    with op.batch_alter_table("show", schema=None) as batch_op:
        batch_op.drop_constraint("moderation_mode_known", type_="check")
        batch_op.create_check_constraint(
            "moderation_mode_known",
            "moderation_mode IN ('filter', 'open', 'hold_first', 'hold_all')",
        )


def downgrade():
    show = sa.table("show", sa.column("moderation_mode", sa.String))
    op.execute(
        show.update()
        .where(show.c.moderation_mode == "filter")
        .values(moderation_mode="open")
    )
    with op.batch_alter_table("show", schema=None) as batch_op:
        batch_op.drop_constraint("moderation_mode_known", type_="check")
        batch_op.create_check_constraint(
            "moderation_mode_known",
            "moderation_mode IN ('open', 'hold_first', 'hold_all')",
        )
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.drop_column("moderation_reason")
