"""The feed tags hosts ask for, people, chapter pictures, WebSub pings, M4A type

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 15:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("show", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("block", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column(
                "complete", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch_op.add_column(
            sa.Column(
                "medium", sa.String(length=12), nullable=False, server_default="podcast"
            )
        )
        batch_op.add_column(sa.Column("copyright", sa.String(length=255)))
        batch_op.add_column(sa.Column("license", sa.String(length=128)))
        batch_op.add_column(sa.Column("license_url", sa.String(length=512)))
        batch_op.add_column(sa.Column("update_frequency", sa.String(length=128)))
        batch_op.add_column(sa.Column("update_rrule", sa.String(length=255)))
        batch_op.add_column(sa.Column("txt", sa.JSON()))

    with op.batch_alter_table("chapter", schema=None) as batch_op:
        batch_op.add_column(sa.Column("img", sa.String(length=1024)))
        batch_op.add_column(
            sa.Column("toc", sa.Boolean(), nullable=False, server_default=sa.true())
        )

    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("show_id", sa.Integer(), nullable=True),
        sa.Column("episode_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("group_name", sa.String(length=40), nullable=False),
        sa.Column("img", sa.String(length=512), nullable=True),
        sa.Column("href", sa.String(length=512), nullable=True),
        sa.CheckConstraint(
            "(show_id IS NULL) <> (episode_id IS NULL)",
            name=op.f("ck_person_show_or_episode"),
        ),
        sa.CheckConstraint("length(name) > 0", name=op.f("ck_person_name_not_empty")),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episode.id"],
            name=op.f("fk_person_episode_id_episode"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["show_id"],
            ["show.id"],
            name=op.f("fk_person_show_id_show"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_person_episode_id"), ["episode_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_person_show_id"), ["show_id"], unique=False
        )

    op.create_table(
        "web_sub_ping",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hub_url", sa.String(length=512), nullable=False),
        sa.Column("topic_url", sa.String(length=512), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sub_ping")),
        sa.UniqueConstraint("hub_url", "topic_url", name="uq_web_sub_ping_hub_topic"),
    )
    with op.batch_alter_table("web_sub_ping", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_web_sub_ping_due_at"), ["due_at"], unique=False
        )

    # Apple lists M4A audio as audio/x-m4a; /media/ serves what is stored.
    op.execute(
        "UPDATE episode SET mime_type = 'audio/x-m4a' WHERE mime_type = 'audio/mp4'"
    )


def downgrade():
    op.execute(
        "UPDATE episode SET mime_type = 'audio/mp4' WHERE mime_type = 'audio/x-m4a'"
    )
    with op.batch_alter_table("web_sub_ping", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_sub_ping_due_at"))
    op.drop_table("web_sub_ping")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_show_id"))
        batch_op.drop_index(batch_op.f("ix_person_episode_id"))
    op.drop_table("person")
    with op.batch_alter_table("chapter", schema=None) as batch_op:
        batch_op.drop_column("toc")
        batch_op.drop_column("img")
    with op.batch_alter_table("show", schema=None) as batch_op:
        for column in (
            "txt",
            "update_rrule",
            "update_frequency",
            "license_url",
            "license",
            "copyright",
            "medium",
            "complete",
            "block",
        ):
            batch_op.drop_column(column)
