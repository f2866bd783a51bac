"""Show, episodes, comments and hosts

Revision ID: 0001
Revises:
Create Date: 2026-11-26 05:07:51.784196

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():

    op.create_table(
        "episode",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("guid", sa.String(length=255), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("artist", sa.String(length=255), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("audio_file", sa.String(length=512), nullable=False),
        sa.Column("mime_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("duration_s", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("season", sa.Integer(), nullable=True),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("episode_type", sa.String(length=10), nullable=False),
        sa.Column("explicit", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "episode_type IN ('full', 'trailer', 'bonus')",
            name=op.f("ck_episode_episode_type_known"),
        ),
        sa.CheckConstraint(
            "duration_s >= 0", name=op.f("ck_episode_duration_not_negative")
        ),
        sa.CheckConstraint("length(slug) > 0", name=op.f("ck_episode_slug_not_empty")),
        sa.CheckConstraint(
            "length(title) > 0", name=op.f("ck_episode_title_not_empty")
        ),
        sa.CheckConstraint(
            "number IS NULL OR number > 0", name=op.f("ck_episode_number_positive")
        ),
        sa.CheckConstraint(
            "season IS NULL OR season > 0", name=op.f("ck_episode_season_positive")
        ),
        sa.CheckConstraint(
            "size_bytes >= 0", name=op.f("ck_episode_size_not_negative")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_episode")),
        sa.UniqueConstraint("audio_file", name=op.f("uq_episode_audio_file")),
        sa.UniqueConstraint("guid", name=op.f("uq_episode_guid")),
        sa.UniqueConstraint("slug", name=op.f("uq_episode_slug")),
    )
    with op.batch_alter_table("episode", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_episode_published_at"), ["published_at"], unique=False
        )

    op.create_table(
        "host",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("display_name", sa.String(length=80), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "length(display_name) > 0", name=op.f("ck_host_display_name_not_empty")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_host")),
        sa.UniqueConstraint("email", name=op.f("uq_host_email")),
    )
    op.create_table(
        "show",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=255), nullable=False),
        sa.Column("owner_name", sa.String(length=255), nullable=False),
        sa.Column("owner_email", sa.String(length=254), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("category", sa.String(length=255), nullable=False),
        sa.Column("explicit", sa.Boolean(), nullable=False),
        sa.Column("cover", sa.String(length=512), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(title) > 0", name=op.f("ck_show_title_not_empty")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_show")),
    )
    op.create_table(
        "comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("host_id", sa.Integer(), nullable=True),
        sa.Column("is_host", sa.Boolean(), nullable=False),
        sa.Column("author", sa.String(length=80), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("timestamp_s", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('published', 'pending', 'hidden', 'spam', 'deleted')",
            name=op.f("ck_comment_status_known"),
        ),
        sa.CheckConstraint(
            "length(author) > 0", name=op.f("ck_comment_author_not_empty")
        ),
        sa.CheckConstraint("length(body) > 0", name=op.f("ck_comment_body_not_empty")),
        sa.CheckConstraint(
            "parent_id IS NULL OR parent_id <> id",
            name=op.f("ck_comment_not_own_parent"),
        ),
        sa.CheckConstraint(
            "timestamp_s IS NULL OR timestamp_s >= 0",
            name=op.f("ck_comment_timestamp_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episode.id"],
            name=op.f("fk_comment_episode_id_episode"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["host_id"],
            ["host.id"],
            name=op.f("fk_comment_host_id_host"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["comment.id"],
            name=op.f("fk_comment_parent_id_comment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment")),
    )
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_comment_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_comment_episode_id"), ["episode_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_comment_host_id"), ["host_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_comment_parent_id"), ["parent_id"], unique=False
        )


def downgrade():

    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comment_parent_id"))
        batch_op.drop_index(batch_op.f("ix_comment_host_id"))
        batch_op.drop_index(batch_op.f("ix_comment_episode_id"))
        batch_op.drop_index(batch_op.f("ix_comment_created_at"))

    op.drop_table("comment")
    op.drop_table("show")
    op.drop_table("host")
    with op.batch_alter_table("episode", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_episode_published_at"))

    op.drop_table("episode")
