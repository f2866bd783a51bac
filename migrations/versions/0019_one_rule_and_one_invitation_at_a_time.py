"""One block or trust decision of a kind per comment, one invitation waiting
per address: what a double click or two tabs stored twice

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 22:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

WAITING = "accepted_at IS NULL AND revoked_at IS NULL"


def upgrade():
    # Copies stored before: the first decision stays, as `people.decided` read it.
    op.execute(
        "DELETE FROM person_rule WHERE comment_id IS NOT NULL AND id NOT IN "
        "(SELECT MIN(id) FROM person_rule WHERE comment_id IS NOT NULL "
        "GROUP BY kind, comment_id)"
    )
    # Invitations waiting beside a newer one to the same address are withdrawn:
    # the newest link stays good, as sending again would have made it.
    op.execute(
        "UPDATE invitation SET revoked_at = sent_at WHERE "
        f"{WAITING} AND id NOT IN (SELECT MAX(id) FROM invitation "
        f"WHERE {WAITING} GROUP BY email)"
    )
    with op.batch_alter_table("person_rule", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            "uq_person_rule_kind_comment", ["kind", "comment_id"]
        )
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.create_index(
            "uq_invitation_email_waiting",
            ["email"],
            unique=True,
            sqlite_where=sa.text(WAITING),
            postgresql_where=sa.text(WAITING),
        )


def downgrade():
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_index("uq_invitation_email_waiting")
    with op.batch_alter_table("person_rule", schema=None) as batch_op:
        batch_op.drop_constraint("uq_person_rule_kind_comment", type_="unique")
