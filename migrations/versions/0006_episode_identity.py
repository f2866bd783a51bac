"""Episode identity: audio fingerprints, missing files, former slugs

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 16:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("episode", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("fingerprint", sa.String(length=64), nullable=True)
        )
        batch_op.add_column(
            sa.Column("missing_since", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_episode_fingerprint"), ["fingerprint"], unique=False
        )
    op.create_table(
        "former_slug",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "length(slug) > 0", name=op.f("ck_former_slug_slug_not_empty")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episode.id"],
            name=op.f("fk_former_slug_episode_id_episode"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_former_slug")),
        sa.UniqueConstraint("slug", name=op.f("uq_former_slug_slug")),
    )
    with op.batch_alter_table("former_slug", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_former_slug_episode_id"), ["episode_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("former_slug", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_former_slug_episode_id"))
    op.drop_table("former_slug")
    with op.batch_alter_table("episode", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_episode_fingerprint"))
        batch_op.drop_column("missing_since")
        batch_op.drop_column("fingerprint")
