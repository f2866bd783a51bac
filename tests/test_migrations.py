"""The Alembic migrations build the same database the models describe, on
SQLite and on PostgreSQL."""

import re

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from podcast_hub import create_app
from podcast_hub.conversation import spam
from podcast_hub.extensions import db
from podcast_hub.models import (
    BlockKind,
    ChapterSource,
    Comment,
    CommentStatus,
    EpisodeType,
    HostNotify,
    HostRole,
    MailKind,
    MailStatus,
    ModerationMode,
    ShowType,
)

from .helpers import make_episode


@pytest.fixture
def migrated_app(database, tmp_path, media_dir):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DATABASE_URL": database.empty(tmp_path, "migrated"),
            "MEDIA_DIR": str(media_dir),
        }
    )
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_migrations_match_the_models(migrated_app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        assert compare_metadata(context, db.metadata) == []


@pytest.mark.parametrize(
    ("table", "column", "names"),
    [
        ("comment", "status", CommentStatus),
        ("episode", "episode_type", EpisodeType),
        ("show", "show_type", ShowType),
        ("show", "moderation_mode", ModerationMode),
        ("chapter", "source", ChapterSource),
        ("block_rule", "kind", BlockKind),
        ("host", "notify", HostNotify),
        ("host", "role", HostRole),
        ("invitation", "role", HostRole),
        ("outbox", "kind", MailKind),
        ("outbox", "status", MailStatus),
    ],
)
def test_the_database_holds_the_values_the_code_names(
    migrated_app, table, column, names
):
    checks = sa.inspect(db.engine).get_check_constraints(table)
    # SQLite keeps the text as written (`status IN (...)`); PostgreSQL its own
    # reading of it (`(status)::text = ANY (ARRAY[...])`).
    spelled = rf"\s*\(*{column}\b\)*(::text)? (IN|= ANY)"
    [known] = [c["sqltext"] for c in checks if re.match(spelled, c["sqltext"])]
    assert re.findall(r"'([^']*)'", known) == [name.value for name in names]


def test_db_upgrade_command_creates_the_tables(database, tmp_path, media_dir):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DATABASE_URL": database.empty(tmp_path, "cli"),
            "MEDIA_DIR": str(media_dir),
        }
    )
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        tables = set(sa.inspect(db.engine).get_table_names())
        db.engine.dispose()
    assert {"show", "episode", "comment", "host", "alembic_version"} <= tables


@pytest.mark.parametrize(
    "values",
    [
        {"timestamp_s": -1},
        {"body": ""},
        {"author": ""},
        {"status": "weird"},
        {"parent_id": 9999},
    ],
)
def test_database_constraints_refuse_bad_rows(migrated_app, values):
    episode = make_episode()
    row = {"episode_id": episode.id, "author": "Lee", "body": "Hi", **values}
    db.session.add(Comment(**row))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 0


def test_comment_on_a_missing_episode_is_refused(migrated_app):
    db.session.add(Comment(episode_id=12345, author="Lee", body="Hi"))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()


def test_every_migration_downgrades_and_upgrades_again(migrated_app):
    from flask_migrate import downgrade

    downgrade(revision="base")
    assert sa.inspect(db.engine).get_table_names() == ["alembic_version"]
    upgrade()
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert compare_metadata(context, db.metadata) == []


def old_database_app(tmp_path, media_dir):
    """Return an app on a new SQLite file, for a test to upgrade step by step."""
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'old.sqlite'}",
            "MEDIA_DIR": str(media_dir),
        }
    )


def test_upgrading_gives_m4a_audio_apples_type_and_keeps_every_row(tmp_path, media_dir):
    app = old_database_app(tmp_path, media_dir)
    with app.app_context():
        upgrade(revision="0005")
        with db.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO show (id, title, description, author, owner_name, "
                    "owner_email, language, category, explicit, show_type, locked, "
                    "moderation_mode, updated_at) VALUES (1, 'Old', '', '', '', '', "
                    "'en', 'Arts', 0, 'episodic', 1, 'open', '2024-01-01')"
                )
            )
            for n, mime_type in enumerate(("audio/mp4", "audio/mpeg"), start=1):
                connection.execute(
                    sa.text(
                        "INSERT INTO episode (id, slug, guid, title, description, "
                        "audio_file, mime_type, size_bytes, duration_s, episode_type, "
                        "explicit, comments_closed, updated_at) VALUES (:n, :slug, "
                        ":slug, 'T', '', :slug, :mime_type, 1, 1, 'full', 0, 0, "
                        "'2024-01-01')"
                    ),
                    {"n": n, "slug": f"ep-{n}", "mime_type": mime_type},
                )
        upgrade()
        with db.engine.connect() as connection:
            types = connection.execute(
                sa.text("SELECT mime_type FROM episode ORDER BY id")
            ).scalars()
            assert list(types) == ["audio/x-m4a", "audio/mpeg"]
            show = connection.execute(
                sa.text("SELECT title, medium, block, complete FROM show")
            ).one()
            assert tuple(show) == ("Old", "podcast", 0, 0)
        db.engine.dispose()


def test_upgrading_gives_old_comments_the_digest_the_spam_filter_looks_up(
    tmp_path, media_dir
):
    app = old_database_app(tmp_path, media_dir)
    words = [
        "Same words  about the keeper's LAMP",
        "same words about the keeper's lamp",
    ]
    with app.app_context():
        upgrade(revision="0013")
        with db.engine.begin() as connection:
            for n, body in enumerate(words, start=1):
                connection.execute(
                    sa.text(
                        "INSERT INTO episode (id, slug, guid, title, description, "
                        "audio_file, mime_type, size_bytes, duration_s, episode_type, "
                        "explicit, comments_closed, updated_at) VALUES (:n, :slug, "
                        ":slug, 'T', '', :slug, 'audio/mpeg', 1, 1, 'full', 0, 0, "
                        "'2024-01-01')"
                    ),
                    {"n": n, "slug": f"ep-{n}"},
                )
                connection.execute(
                    sa.text(
                        "INSERT INTO comment (id, episode_id, is_host, author, body, "
                        "status, pinned, reply_not_needed, notify, created_at) VALUES "
                        "(:n, :n, 0, 'Lee', :body, 'published', 0, 0, 0, "
                        "'2024-01-01')"
                    ),
                    {"n": n, "body": body},
                )
        upgrade()
        with db.engine.connect() as connection:
            keys = connection.execute(
                sa.text("SELECT body_key FROM comment ORDER BY id")
            ).scalars()
            assert list(keys) == [spam.body_key(words[1])] * 2
        db.engine.dispose()


def test_upgrading_folds_rules_and_invitations_stored_twice(tmp_path, media_dir):
    """Before 0019 a double click could store a block twice from one comment, or
    two invitations waiting for one address: the first rule stays, the newest
    invitation stays waiting, the others are withdrawn; nothing else changes."""
    app = old_database_app(tmp_path, media_dir)
    with app.app_context():
        upgrade(revision="0018")
        with db.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO episode (id, slug, guid, title, description, "
                    "audio_file, mime_type, size_bytes, duration_s, episode_type, "
                    "explicit, comments_closed, updated_at) VALUES (1, 'ep', 'ep', "
                    "'T', '', 'ep.mp3', 'audio/mpeg', 1, 1, 'full', 0, 0, "
                    "'2024-01-01')"
                )
            )
            connection.execute(
                sa.text(
                    "INSERT INTO comment (id, episode_id, is_host, author, body, "
                    "status, pinned, reply_not_needed, notify, created_at) VALUES "
                    "(1, 1, 0, 'Lee', 'Hi', 'published', 0, 0, 0, '2024-01-01')"
                )
            )
            for rule_id, kind in ((1, "block"), (2, "block"), (3, "trust")):
                connection.execute(
                    sa.text(
                        "INSERT INTO person_rule (id, kind, person, comment_id, "
                        "created_at) VALUES (:id, :kind, 'Lee', 1, '2024-01-01')"
                    ),
                    {"id": rule_id, "kind": kind},
                )
            for invitation_id, email, accepted in (
                (1, "new@example.com", None),
                (2, "new@example.com", None),
                (3, "new@example.com", "2024-01-03"),
                (4, "other@example.com", None),
            ):
                connection.execute(
                    sa.text(
                        "INSERT INTO invitation (id, email, role, nonce, created_at, "
                        "sent_at, expires_at, accepted_at) VALUES (:id, :email, "
                        "'moderator', 'n', '2024-01-01', '2024-01-02', "
                        "'2024-01-09', :accepted)"
                    ),
                    {"id": invitation_id, "email": email, "accepted": accepted},
                )
        upgrade()
        with db.engine.connect() as connection:
            rules = connection.execute(
                sa.text("SELECT id, kind FROM person_rule ORDER BY id")
            ).all()
            assert [tuple(r) for r in rules] == [(1, "block"), (3, "trust")]
            waiting = connection.execute(
                sa.text(
                    "SELECT id FROM invitation WHERE accepted_at IS NULL "
                    "AND revoked_at IS NULL ORDER BY id"
                )
            ).scalars()
            assert list(waiting) == [2, 4]
            assert connection.scalar(sa.text("SELECT count(*) FROM invitation")) == 4
        db.engine.dispose()
