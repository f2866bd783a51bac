"""Subscribing and the show's look: its Apple Podcasts id, Spotify address and
accent colour

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 19:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("show", schema=None) as batch_op:
        batch_op.add_column(sa.Column("apple_podcasts_id", sa.String(length=12)))
        batch_op.add_column(sa.Column("spotify_url", sa.String(length=128)))
        batch_op.add_column(sa.Column("accent_color", sa.String(length=7)))


def downgrade():
    with op.batch_alter_table("show", schema=None) as batch_op:
        batch_op.drop_column("accent_color")
        batch_op.drop_column("spotify_url")
        batch_op.drop_column("apple_podcasts_id")
