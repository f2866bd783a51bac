"""Configuration from the environment, and the secret key rules."""

import pytest

from podcast_hub import create_app
from podcast_hub.config import ConfigError, _instance_secret


def test_production_without_secret_key_stops_with_a_clear_message(
    monkeypatch, tmp_path
):
    monkeypatch.setenv("PODCAST_HUB_ENV", "production")
    monkeypatch.delenv("PODCAST_HUB_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="PODCAST_HUB_SECRET_KEY is not set"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}"})


@pytest.fixture
def production(monkeypatch):
    """Set the environment of a production instance that passes every check."""
    monkeypatch.setenv("PODCAST_HUB_ENV", "production")
    monkeypatch.setenv("PODCAST_HUB_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("PODCAST_HUB_BASE_URL", "https://pod.example.org")
    monkeypatch.setenv("PODCAST_HUB_WORKERS", "1")
    monkeypatch.delenv("PODCAST_HUB_RATELIMIT_STORAGE_URI", raising=False)
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)


def test_production_takes_the_secret_key_from_the_environment(production, tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}"})
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_production_needs_a_base_url(production, monkeypatch, tmp_path):
    """Without it, the Host header of any request would decide the feed's URLs."""
    monkeypatch.delenv("PODCAST_HUB_BASE_URL")
    with pytest.raises(ConfigError, match="PODCAST_HUB_BASE_URL is not set"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}"})


@pytest.mark.parametrize("workers", [None, "4"])
def test_production_refuses_per_process_rate_limits_with_several_workers(
    production, monkeypatch, tmp_path, workers
):
    monkeypatch.delenv("PODCAST_HUB_WORKERS")
    if workers:
        monkeypatch.setenv("WEB_CONCURRENCY", workers)
    with pytest.raises(ConfigError, match="redis://"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}"})


def test_production_keeps_memory_rate_limits_for_one_declared_worker(
    production, tmp_path
):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}"})
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_development_secret_key_is_made_once_and_kept(tmp_path):
    first = _instance_secret(tmp_path)
    assert len(first) >= 32
    assert _instance_secret(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_environment_variables_configure_the_app(monkeypatch, tmp_path):
    monkeypatch.setenv(
        "PODCAST_HUB_DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite'}"
    )
    monkeypatch.setenv("PODCAST_HUB_MEDIA_DIR", str(tmp_path / "media"))
    monkeypatch.setenv("PODCAST_HUB_BASE_URL", "https://pod.example.org/")
    monkeypatch.setenv("PODCAST_HUB_MAX_UPLOAD_MB", "7")
    monkeypatch.setenv("PODCAST_HUB_SECRET_KEY", "k")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("env.sqlite")
    assert app.config["MEDIA_DIR"] == str(tmp_path / "media")
    assert app.config["BASE_URL"] == "https://pod.example.org"
    assert app.config["MAX_UPLOAD_BYTES"] == 7 * 1024 * 1024


def test_defaults_follow_the_contract(monkeypatch):
    for name in ("DATABASE_URL", "MEDIA_DIR", "BASE_URL", "MAX_UPLOAD_MB", "ENV"):
        monkeypatch.delenv(f"PODCAST_HUB_{name}", raising=False)
    monkeypatch.setenv("PODCAST_HUB_SECRET_KEY", "k")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == (
        f"sqlite:///{app.instance_path}/podcast_hub.sqlite"
    )
    assert app.config["MEDIA_DIR"].endswith("/episodes")
    assert app.config["BASE_URL"] is None
    assert app.config["MAX_UPLOAD_MB"] == 500


def test_a_database_server_gets_a_pool_that_survives_restarts(monkeypatch, tmp_path):
    monkeypatch.setenv("PODCAST_HUB_DB_POOL_SIZE", "12")
    monkeypatch.setenv("PODCAST_HUB_DB_POOL_PRE_PING", "true")
    app = create_app(
        {
            "SECRET_KEY": "x",
            "DATABASE_URL": "postgresql+psycopg://hub@localhost/hub",
        }
    )
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["pool_pre_ping"] is True
    assert options["pool_recycle"] == 1800
    assert options["pool_size"] == 12
    assert options["connect_args"] == {"connect_timeout": 5}
    with app.app_context():
        from podcast_hub.extensions import db

        assert db.engine.pool.size() == 12
        assert db.engine.pool._pre_ping


def test_a_sqlite_file_keeps_sqlalchemys_own_pool(tmp_path):
    app = create_app(
        {"SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}"}
    )
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"] == {}


def test_redis_limits_fall_back_to_memory_and_give_up_on_redis_fast(tmp_path):
    app = create_app(
        {
            "SECRET_KEY": "x",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}",
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1",
        }
    )
    assert app.config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] is True
    assert app.config["RATELIMIT_STORAGE_OPTIONS"]["socket_timeout"] == 1
