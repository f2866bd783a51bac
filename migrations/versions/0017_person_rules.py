"""Listeners the host blocked or trusted from the inbox

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 19:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "person_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("person", sa.String(length=80), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('block', 'trust')", name=op.f("ck_person_rule_kind_known")
        ),
        sa.CheckConstraint(
            "length(person) > 0", name=op.f("ck_person_rule_person_not_empty")
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comment.id"],
            name=op.f("fk_person_rule_comment_id_comment"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_rule")),
    )
    with op.batch_alter_table("person_rule", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_person_rule_comment_id"), ["comment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_person_rule_email"), ["email"], unique=False
        )


def downgrade():
    with op.batch_alter_table("person_rule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_rule_email"))
        batch_op.drop_index(batch_op.f("ix_person_rule_comment_id"))
    op.drop_table("person_rule")
