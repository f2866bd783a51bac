"""Comments found by the digest of their words and by name and date (the spam
filter's lookups become index lookups)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 19:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

from podcast_hub.conversation.spam import body_key

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body_key", sa.String(length=64)))
        batch_op.create_index(batch_op.f("ix_comment_body_key"), ["body_key"])
        batch_op.create_index("ix_comment_author_created_at", ["author", "created_at"])
    comment = sa.table(
        "comment",
        sa.column("id", sa.Integer),
        sa.column("body", sa.Text),
        sa.column("body_key", sa.String),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(comment.c.id, comment.c.body)).all()
    for comment_id, body in rows:
        connection.execute(
            comment.update()
            .where(comment.c.id == comment_id)
            .values(body_key=body_key(body or ""))
        )


def downgrade():
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.drop_index("ix_comment_author_created_at")
        batch_op.drop_index(batch_op.f("ix_comment_body_key"))
        batch_op.drop_column("body_key")
