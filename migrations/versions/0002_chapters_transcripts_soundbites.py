"""Chapters, transcripts, soundbites and Podcasting 2.0 show fields

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 05:35:00.472474

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "chapter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=False),
        sa.Column("start_s", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("url", sa.String(length=1024), nullable=True),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.CheckConstraint(
            "source IN ('audio', 'sidecar', 'host')",
            name=op.f("ck_chapter_source_known"),
        ),
        sa.CheckConstraint(
            "length(title) > 0", name=op.f("ck_chapter_title_not_empty")
        ),
        sa.CheckConstraint("start_s >= 0", name=op.f("ck_chapter_start_not_negative")),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episode.id"],
            name=op.f("fk_chapter_episode_id_episode"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chapter")),
    )
    with op.batch_alter_table("chapter", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_chapter_episode_id"), ["episode_id"], unique=False
        )

    op.create_table(
        "soundbite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=False),
        sa.Column("start_s", sa.Integer(), nullable=False),
        sa.Column("duration_s", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "duration_s BETWEEN 15 AND 120",
            name=op.f("ck_soundbite_duration_15_to_120"),
        ),
        sa.CheckConstraint(
            "length(title) > 0", name=op.f("ck_soundbite_title_not_empty")
        ),
        sa.CheckConstraint(
            "start_s >= 0", name=op.f("ck_soundbite_start_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episode.id"],
            name=op.f("fk_soundbite_episode_id_episode"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_soundbite")),
    )
    with op.batch_alter_table("soundbite", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_soundbite_episode_id"), ["episode_id"], unique=False
        )

    op.create_table(
        "transcript",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=False),
        sa.Column("file", sa.String(length=512), nullable=False),
        sa.Column("mime_type", sa.String(length=100), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=True),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episode.id"],
            name=op.f("fk_transcript_episode_id_episode"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transcript")),
        sa.UniqueConstraint("file", name=op.f("uq_transcript_file")),
    )
    with op.batch_alter_table("transcript", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_transcript_episode_id"), ["episode_id"], unique=False
        )

    with op.batch_alter_table("episode", schema=None) as batch_op:
        batch_op.add_column(sa.Column("image", sa.String(length=512), nullable=True))

    with op.batch_alter_table("show", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "show_type",
                sa.String(length=10),
                nullable=False,
                server_default="episodic",
            )
        )
        batch_op.add_column(
            sa.Column("locked", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(
            sa.Column("podcast_guid", sa.String(length=36), nullable=True)
        )
        batch_op.add_column(
            sa.Column("funding_url", sa.String(length=512), nullable=True)
        )
        batch_op.add_column(
            sa.Column("funding_text", sa.String(length=128), nullable=True)
        )
        batch_op.add_column(
            sa.Column("new_feed_url", sa.String(length=512), nullable=True)
        )
        batch_op.create_check_constraint(
            "show_type_known", "show_type IN ('episodic', 'serial')"
        )


def downgrade():
    with op.batch_alter_table("show", schema=None) as batch_op:
        batch_op.drop_constraint("show_type_known", type_="check")
        batch_op.drop_column("new_feed_url")
        batch_op.drop_column("funding_text")
        batch_op.drop_column("funding_url")
        batch_op.drop_column("podcast_guid")
        batch_op.drop_column("locked")
        batch_op.drop_column("show_type")

    with op.batch_alter_table("episode", schema=None) as batch_op:
        batch_op.drop_column("image")

    with op.batch_alter_table("transcript", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transcript_episode_id"))

    op.drop_table("transcript")
    with op.batch_alter_table("soundbite", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_soundbite_episode_id"))

    op.drop_table("soundbite")
    with op.batch_alter_table("chapter", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chapter_episode_id"))

    op.drop_table("chapter")
