"""Mail: listeners' addresses and muted threads, the outbox, hosts' choices

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10 10:02:14.118240

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "mail_address",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmation_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unsubscribed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "length(email) > 0", name=op.f("ck_mail_address_email_not_empty")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_address")),
        sa.UniqueConstraint("email", name=op.f("uq_mail_address_email")),
    )
    op.create_table(
        "mail_mute",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["address_id"],
            ["mail_address.id"],
            name=op.f("fk_mail_mute_address_id_mail_address"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["comment.id"],
            name=op.f("fk_mail_mute_thread_id_comment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_mute")),
        sa.UniqueConstraint("address_id", "thread_id", name="uq_mail_mute_thread"),
    )
    with op.batch_alter_table("mail_mute", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mail_mute_address_id"), ["address_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_mail_mute_thread_id"), ["thread_id"], unique=False
        )

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("address_id", sa.Integer(), nullable=True),
        sa.Column("host_id", sa.Integer(), nullable=True),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claim", sa.String(length=32), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_id", sa.String(length=255), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "address_id IS NOT NULL OR host_id IS NOT NULL",
            name=op.f("ck_outbox_has_recipient"),
        ),
        sa.CheckConstraint(
            "kind IN ('confirm', 'reply', 'host_comment', 'digest')",
            name=op.f("ck_outbox_kind_known"),
        ),
        sa.CheckConstraint(
            "status IN ('queued', 'sending', 'sent', 'skipped', 'failed')",
            name=op.f("ck_outbox_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["address_id"],
            ["mail_address.id"],
            name=op.f("fk_outbox_address_id_mail_address"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comment.id"],
            name=op.f("fk_outbox_comment_id_comment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["host_id"],
            ["host.id"],
            name=op.f("fk_outbox_host_id_host"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("key", name=op.f("uq_outbox_key")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_address_id"), ["address_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_outbox_comment_id"), ["comment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_outbox_host_id"), ["host_id"], unique=False
        )
        batch_op.create_index(
            "ix_outbox_status_due_at", ["status", "due_at"], unique=False
        )

    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("notify", sa.Boolean(), nullable=False, server_default=sa.false())
        )

    with op.batch_alter_table("host", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "notify", sa.String(length=10), nullable=False, server_default="each"
            )
        )
        batch_op.add_column(
            sa.Column("digest_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_check_constraint(
            "notify_known", "notify IN ('each', 'digest', 'none')"
        )


def downgrade():
    with op.batch_alter_table("host", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_host_notify_known"), type_="check")
        batch_op.drop_column("digest_at")
        batch_op.drop_column("notify")

    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.drop_column("notify")

    op.drop_table("outbox")
    op.drop_table("mail_mute")
    op.drop_table("mail_address")
