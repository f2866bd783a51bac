"""The team: hosts' roles (existing hosts become owners), invitations by mail,
and the outbox's invitation mails

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 18:45:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

ROLES = "role IN ('owner', 'cohost', 'moderator')"


def upgrade():
    op.create_table(
        "invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(ROLES, name=op.f("ck_invitation_role_known")),
        sa.CheckConstraint(
            "length(email) > 0", name=op.f("ck_invitation_email_not_empty")
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["host.id"],
            name=op.f("fk_invitation_invited_by_id_host"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation")),
    )
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invitation_email"), ["email"])
        batch_op.create_index(
            batch_op.f("ix_invitation_invited_by_id"), ["invited_by_id"]
        )

    with op.batch_alter_table("host", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "role", sa.String(length=10), server_default="owner", nullable=False
            )
        )
        batch_op.create_check_constraint("role_known", ROLES)

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("invitation_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_invitation_id"), ["invitation_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_invitation_id_invitation"),
            "invitation",
            ["invitation_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.drop_constraint("kind_known", type_="check")
        batch_op.create_check_constraint(
            "kind_known",
            "kind IN ('confirm', 'reply', 'host_comment', 'digest', 'invite')",
        )
        batch_op.drop_constraint("has_recipient", type_="check")
        batch_op.create_check_constraint(
            "has_recipient",
            "address_id IS NOT NULL OR host_id IS NOT NULL "
            "OR invitation_id IS NOT NULL",
        )


def downgrade():
    outbox = sa.table("outbox", sa.column("kind", sa.String))
    op.execute(outbox.delete().where(outbox.c.kind == "invite"))
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint("has_recipient", type_="check")
        batch_op.create_check_constraint(
            "has_recipient", "address_id IS NOT NULL OR host_id IS NOT NULL"
        )
        batch_op.drop_constraint("kind_known", type_="check")
        batch_op.create_check_constraint(
            "kind_known", "kind IN ('confirm', 'reply', 'host_comment', 'digest')"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_outbox_invitation_id_invitation"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_outbox_invitation_id"))
        batch_op.drop_column("invitation_id")

    with op.batch_alter_table("host", schema=None) as batch_op:
        batch_op.drop_constraint("role_known", type_="check")
        batch_op.drop_column("role")

    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invitation_invited_by_id"))
        batch_op.drop_index(batch_op.f("ix_invitation_email"))

    op.drop_table("invitation")
