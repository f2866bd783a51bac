"""Flask extensions, created unbound and initialised by the factory."""

import ipaddress
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import request
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(so.DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

if TYPE_CHECKING:
    # `db.Model` is made at run time from `Base`, so type checkers cannot follow
    # it; to them the models are the `Base` subclasses they are in all but name.
    Model = Base
else:
    Model = db.Model
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()


def rate_limit_key():
    """Return who a rate limit counts: an IPv4 address, or an IPv6 /64.

    One IPv6 subscriber usually holds a whole /64, so counting single
    addresses would let one person use millions of them.
    """
    address = request.remote_addr or ""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


limiter = Limiter(key_func=rate_limit_key)


def init_app(app):
    """Bind every extension to `app`."""
    db.init_app(app)
    migrate.init_app(app, db, directory=str(_migrations_dir()), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in as a host to see that page."
    limiter.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            sa.event.listen(db.engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection, _record):
    """Enforce foreign keys and let readers proceed while a writer works.

    In WAL mode, `synchronous=NORMAL` syncs the log at checkpoints rather than
    at every commit: a commit stays atomic and the database consistent after a
    crash, and only the last transactions before a power cut may be lost (not
    an application or OS crash). SQLite recommends it for WAL; it saves a disk
    flush per posted comment.
    """
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _migrations_dir() -> Path:
    """Return the package's `migrations/` (the top-level folder, shipped inside it)."""
    return Path(__file__).with_name("migrations")
