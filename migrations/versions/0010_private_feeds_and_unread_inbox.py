"""Listeners' private feeds of replies, the host's inbox feed and unread count

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 15:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reply_feed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reply_feed")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_reply_feed_token_hash")),
    )
    op.create_table(
        "reply_feed_comment",
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comment.id"],
            name=op.f("fk_reply_feed_comment_comment_id_comment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["feed_id"],
            ["reply_feed.id"],
            name=op.f("fk_reply_feed_comment_feed_id_reply_feed"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "feed_id", "comment_id", name=op.f("pk_reply_feed_comment")
        ),
    )
    with op.batch_alter_table("reply_feed_comment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reply_feed_comment_comment_id"), ["comment_id"], unique=False
        )
    op.create_table(
        "seen_reply",
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comment.id"],
            name=op.f("fk_seen_reply_comment_id_comment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["feed_id"],
            ["reply_feed.id"],
            name=op.f("fk_seen_reply_feed_id_reply_feed"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("feed_id", "comment_id", name=op.f("pk_seen_reply")),
    )
    with op.batch_alter_table("seen_reply", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_seen_reply_comment_id"), ["comment_id"], unique=False
        )
    with op.batch_alter_table("host", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("inbox_seen_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("inbox_feed_hash", sa.String(length=64), nullable=True)
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_host_inbox_feed_hash"), ["inbox_feed_hash"]
        )


def downgrade():
    with op.batch_alter_table("host", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_host_inbox_feed_hash"), type_="unique")
        batch_op.drop_column("inbox_feed_hash")
        batch_op.drop_column("inbox_seen_at")
    with op.batch_alter_table("seen_reply", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_seen_reply_comment_id"))
    op.drop_table("seen_reply")
    with op.batch_alter_table("reply_feed_comment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reply_feed_comment_comment_id"))
    op.drop_table("reply_feed_comment")
    op.drop_table("reply_feed")
