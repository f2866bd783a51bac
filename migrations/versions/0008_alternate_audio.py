"""Alternate audio files of an episode (podcast:alternateEnclosure)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 15:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "alternate_audio",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=False),
        sa.Column("file", sa.String(length=512), nullable=False),
        sa.Column("mime_type", sa.String(length=100), nullable=False),
        sa.Column("codec", sa.String(length=20), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("bitrate_bps", sa.Integer(), nullable=True),
        sa.Column("duration_s", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "duration_s >= 0", name=op.f("ck_alternate_audio_duration_not_negative")
        ),
        sa.CheckConstraint(
            "size_bytes >= 0", name=op.f("ck_alternate_audio_size_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episode.id"],
            name=op.f("fk_alternate_audio_episode_id_episode"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alternate_audio")),
        sa.UniqueConstraint("file", name=op.f("uq_alternate_audio_file")),
    )
    with op.batch_alter_table("alternate_audio", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_alternate_audio_episode_id"), ["episode_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("alternate_audio", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alternate_audio_episode_id"))
    op.drop_table("alternate_audio")
