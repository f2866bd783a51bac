"""Configuration: defaults, `PODCAST_HUB_*` environment variables, test overrides."""

import os
import secrets
from pathlib import Path

DEFAULT_MAX_UPLOAD_MB = 500
# Every request body but a host's upload: a comment, a login, a JSON call.
DEFAULT_MAX_BODY_KB = 64


class ConfigError(RuntimeError):
    """The configuration cannot run the application."""


def load(app, test_config=None):
    """Fill `app.config` from defaults, the environment and `test_config`."""
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(
        ENV="development",
        DATABASE_URL=f"sqlite:///{instance / 'podcast_hub.sqlite'}",
        MEDIA_DIR="episodes",
        # Where `hub demo` keeps the demo host's password between runs.
        DEMO_PASSWORD_FILE=str(instance / "demo-password"),
        BASE_URL=None,
        MEDIA_BASE_URL=None,
        # An S3-compatible bucket holding the media instead of MEDIA_DIR (README,
        # "Shared media"); credentials come from AWS's usual variables and files.
        MEDIA_S3_BUCKET=None,
        MEDIA_S3_PREFIX="",
        MEDIA_S3_ENDPOINT_URL=None,
        MEDIA_S3_REGION=None,
        MEDIA_S3_TIMEOUT_S=5,
        MEDIA_S3_ACL=None,
        MAX_UPLOAD_MB=DEFAULT_MAX_UPLOAD_MB,
        MAX_BODY_KB=DEFAULT_MAX_BODY_KB,
        # Proxies in front of the app that set X-Forwarded-For/-Proto/-Host.
        PROXY_COUNT=0,
        # Processes serving the app; gunicorn reads WEB_CONCURRENCY too.
        WORKERS=os.environ.get("WEB_CONCURRENCY"),
        COMMENTS_PER_PAGE=25,
        RATELIMIT_COMMENTS="10 per minute; 200 per day",
        # Failed logins from one address, and for one account from anywhere.
        RATELIMIT_LOGIN="5 per minute; 30 per hour",
        RATELIMIT_LOGIN_ACCOUNT="10 per hour",
        # werkzeug's method for new password hashes; the tests use a cheap one.
        PASSWORD_HASH_METHOD="scrypt",
        RATELIMIT_STORAGE_URI="memory://",
        # With redis://, limits are shared by every worker and machine; while
        # Redis is down each process counts in memory instead (never a 500).
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
        RATELIMIT_SWALLOW_ERRORS=True,
        # Connections to a database server (PostgreSQL); README, "Running in
        # production", sizes the pool against workers × threads.
        DB_POOL_SIZE=5,
        DB_MAX_OVERFLOW=5,
        DB_POOL_TIMEOUT_S=10,
        DB_POOL_RECYCLE_S=1800,
        DB_POOL_PRE_PING=True,
        DB_CONNECT_TIMEOUT_S=5,
        # How long a SQLite write waits for the one writer before the request
        # is answered 503 (nothing stored, to be sent again).
        DB_BUSY_TIMEOUT_S=5,
        # How long a SQLite write waits its turn among the threads of one
        # process (threaded workers) before it is answered 503.
        DB_WRITE_QUEUE_S=30,
        # What a 503 tells clients to wait while the database is away.
        DB_RETRY_AFTER_S=15,
        RATELIMIT_HEADERS_ENABLED=True,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
        # Mail: without SMTP_URL and MAIL_FROM it waits in the outbox.
        SMTP_URL=None,
        MAIL_FROM=None,
        # Replies to one address within this many seconds make one mail.
        MAIL_BATCH_S=300,
        # How long the SMTP server may take to answer, in seconds.
        MAIL_TIMEOUT_S=30,
        # How often `hub deliver` looks for due mail while it keeps running.
        MAIL_POLL_S=15,
        # The hour (UTC) from which hosts' daily digests go out.
        MAIL_DIGEST_HOUR=8,
        # A WebSub hub linked from the feed and pinged when it changes.
        WEBSUB_HUB=None,
        # Rendered feeds each process keeps, in megabytes (README, "Feeds").
        FEED_CACHE_MB=16,
        # Seconds before a failed ping is sent again; doubles each time.
        WEBSUB_RETRY_S=30,
    )
    app.config.from_prefixed_env("PODCAST_HUB")
    if test_config:
        app.config.from_mapping(test_config)

    production = app.config["ENV"] == "production"
    if production:
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    if not app.config.get("SECRET_KEY"):
        if production:
            raise ConfigError(
                "PODCAST_HUB_SECRET_KEY is not set. In production the secret key "
                "must come from the environment, e.g. "
                'PODCAST_HUB_SECRET_KEY="$(python3 -c '
                "'import secrets; print(secrets.token_hex(32))')\""
            )
        app.config["SECRET_KEY"] = _instance_secret(instance)

    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config))
    if str(app.config["RATELIMIT_STORAGE_URI"]).startswith(("redis", "rediss")):
        # A Redis that does not answer is given up on at once: the fallback counts.
        app.config.setdefault(
            "RATELIMIT_STORAGE_OPTIONS",
            {"socket_connect_timeout": 1, "socket_timeout": 1},
        )
    app.config["MEDIA_DIR"] = str(Path(app.config["MEDIA_DIR"]).expanduser().resolve())
    app.config["MAX_UPLOAD_BYTES"] = int(app.config["MAX_UPLOAD_MB"]) * 1024 * 1024
    app.config["MAX_BODY_BYTES"] = int(app.config["MAX_BODY_KB"]) * 1024
    # The default for anything that reads a body outside a request's own limit.
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_BODY_BYTES"]
    for key in ("BASE_URL", "MEDIA_BASE_URL"):
        if app.config[key]:
            app.config[key] = str(app.config[key]).rstrip("/")
    app.config["PROXY_COUNT"] = int(app.config["PROXY_COUNT"] or 0)
    for key in ("MAIL_BATCH_S", "MAIL_TIMEOUT_S", "MAIL_POLL_S", "MAIL_DIGEST_HOUR"):
        app.config[key] = int(app.config[key])
    app.config["WEBSUB_HUB"] = _websub_hub(app.config["WEBSUB_HUB"])
    app.config["WEBSUB_RETRY_S"] = float(app.config["WEBSUB_RETRY_S"])
    app.config["FEED_CACHE_MB"] = _feed_cache_mb(app.config["FEED_CACHE_MB"])
    if production:
        _check_production(app.config)


def _websub_hub(value):
    """Return the hub's address, or None; refuse one that is not a web address."""
    if not value:
        return None
    value = str(value).strip()
    if not value.lower().startswith(("https://", "http://")) or " " in value:
        raise ConfigError(
            f"PODCAST_HUB_WEBSUB_HUB is {value!r}, not a web address. Give the "
            "hub's address, e.g. PODCAST_HUB_WEBSUB_HUB=https://pubsubhubbub.appspot.com/"
        )
    return value


def _feed_cache_mb(value):
    """Return the megabytes of rendered feeds a process keeps; refuse nonsense."""
    try:
        megabytes = float(value)
    except (TypeError, ValueError):
        megabytes = -1.0
    if not megabytes >= 0:
        raise ConfigError(
            f"PODCAST_HUB_FEED_CACHE_MB is {value!r}, not a number of megabytes. "
            "Give e.g. PODCAST_HUB_FEED_CACHE_MB=16 (0 keeps no rendered feed)."
        )
    return megabytes


def engine_options(config):
    """Return SQLAlchemy's engine options for `DATABASE_URL`.

    A database server gets a pool whose connections are checked before each
    use (`DB_POOL_PRE_PING`: a restart of the server costs no request) and
    replaced after `DB_POOL_RECYCLE_S` (before a proxy or firewall drops them).
    A SQLite file has no connection to go stale: SQLAlchemy's defaults.
    """
    if str(config["DATABASE_URL"]).startswith("sqlite"):
        return {}
    options = {
        "pool_pre_ping": _flag(config["DB_POOL_PRE_PING"]),
        "pool_recycle": int(config["DB_POOL_RECYCLE_S"]),
        "pool_size": int(config["DB_POOL_SIZE"]),
        "max_overflow": int(config["DB_MAX_OVERFLOW"]),
        "pool_timeout": float(config["DB_POOL_TIMEOUT_S"]),
    }
    if str(config["DATABASE_URL"]).startswith("postgresql"):
        options["connect_args"] = {
            "connect_timeout": int(config["DB_CONNECT_TIMEOUT_S"])
        }
    return options


def _flag(value):
    """Read a yes/no setting that may come from the environment as text."""
    if isinstance(value, str):
        return value.strip().lower() not in {"", "0", "false", "no", "off"}
    return bool(value)


def _check_production(config):
    """Refuse settings that are unsafe on a public address."""
    if not config.get("BASE_URL"):
        raise ConfigError(
            "PODCAST_HUB_BASE_URL is not set. In production every absolute URL "
            "(the feed, the API, e-mails) is made from it, never from the "
            "request's Host header, e.g. PODCAST_HUB_BASE_URL=https://podcast.example.org"
        )
    workers = str(config.get("WORKERS") or "").strip()
    if config["RATELIMIT_STORAGE_URI"].startswith("memory://") and workers != "1":
        raise ConfigError(
            "PODCAST_HUB_RATELIMIT_STORAGE_URI is memory://, which counts in each "
            "process apart: with several workers every limit is multiplied by their "
            "number. Use a shared store, e.g. "
            "PODCAST_HUB_RATELIMIT_STORAGE_URI=redis://localhost:6379, or, when a "
            "single process serves the app, say so with PODCAST_HUB_WORKERS=1."
        )


def _instance_secret(instance):
    """Return the development secret key, creating it once in the instance folder."""
    path = instance / "secret_key"
    try:
        key = path.read_text().strip()
    except FileNotFoundError:
        key = ""
    if not key:
        key = secrets.token_hex(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key + "\n")
    return key
