"""Moderation, drafts and comment editing

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 05:36:35.608885

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "block_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("value", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('email', 'word')", name=op.f("ck_block_rule_kind_known")
        ),
        sa.CheckConstraint(
            "length(value) > 0", name=op.f("ck_block_rule_value_not_empty")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_block_rule")),
        sa.UniqueConstraint("kind", "value", name="uq_block_rule_kind_value"),
    )
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("pinned", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column(
                "reply_not_needed",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )
        batch_op.add_column(
            sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("episode", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "comments_closed",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )
        batch_op.alter_column(
            "published_at", existing_type=sa.DateTime(timezone=True), nullable=True
        )

    with op.batch_alter_table("show", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "moderation_mode",
                sa.String(length=12),
                nullable=False,
                server_default="open",
            )
        )
        batch_op.create_check_constraint(
            "moderation_mode_known",
            "moderation_mode IN ('open', 'hold_first', 'hold_all')",
        )


def downgrade():
    with op.batch_alter_table("show", schema=None) as batch_op:
        batch_op.drop_constraint("moderation_mode_known", type_="check")
        batch_op.drop_column("moderation_mode")

    with op.batch_alter_table("episode", schema=None) as batch_op:
        batch_op.alter_column(
            "published_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )
        batch_op.drop_column("comments_closed")

    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.drop_column("deleted_at")
        batch_op.drop_column("edited_at")
        batch_op.drop_column("reply_not_needed")
        batch_op.drop_column("pinned")

    op.drop_table("block_rule")
