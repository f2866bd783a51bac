"""Flask extensions, created unbound and initialised by the factory."""

import ipaddress
import os
import re
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, request
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.dialects import postgresql, sqlite

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


def insert_skipping_taken(model: Any, dialect: str | None = None) -> Any:
    """Return an INSERT into `model` that skips a row whose key is taken.

    INSERT … ON CONFLICT DO NOTHING (SQLite and PostgreSQL alike): a row that
    another request stored, or is storing, since this one looked is left as it
    is, where a plain INSERT would fail on the key. On PostgreSQL the insert
    waits for that other transaction and skips the row once it commits.
    `dialect`, the database's name, defaults to the session's.
    """
    make = _SKIPPING_INSERTS.get(dialect or db.session.get_bind().dialect.name)
    return sa.insert(model) if make is None else make(model).on_conflict_do_nothing()


def skips_taken(dialect: str) -> bool:
    """Return whether `insert_skipping_taken` skips taken keys on `dialect`."""
    return dialect in _SKIPPING_INSERTS


_SKIPPING_INSERTS: dict[str, Any] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}


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


ViewT = TypeVar("ViewT", bound=Callable[..., Any])


def unlimited(view: ViewT) -> ViewT:
    """Mark `view` as one no rate limit counts (feeds podcast apps poll, a
    thread's JSON): the limiter lets its requests by before looking for limits,
    a good part of a 304's time. A default limit set by an operator
    (`RATELIMIT_DEFAULT`) does not count them either."""
    view.unlimited = True  # type: ignore[attr-defined]
    return view


class _Limiter(Limiter):
    """Flask-Limiter, skipping the views marked `unlimited` before any work."""

    def _check_request_limit(
        self, callable_name: str | None = None, in_middleware: bool = True
    ) -> None:
        if in_middleware:
            view = current_app.view_functions.get(request.endpoint or "")
            if getattr(view, "unlimited", False):
                return
        super()._check_request_limit(callable_name, in_middleware)


limiter = _Limiter(key_func=rate_limit_key)


def init_app(app):
    """Bind every extension to `app`."""
    db.init_app(app)
    migrate.init_app(app, db, directory=str(_migrations_dir()), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in as a host to see that page."
    limiter.init_app(app)
    # Runs before Flask-SQLAlchemy's own teardown (teardowns run last first).
    app.teardown_appcontext(_close_session)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        busy_timeout_ms = int(float(app.config["DB_BUSY_TIMEOUT_S"]) * 1000)

        def sqlite_pragmas(dbapi_connection, _record):
            """Enforce foreign keys, let readers proceed while a writer works,
            and let a writer wait its turn.

            In WAL mode, `synchronous=NORMAL` syncs the log at checkpoints
            rather than at every commit: a commit stays atomic and the database
            consistent after a crash, and only the last transactions before a
            power cut may be lost (not an application or OS crash). SQLite
            recommends it for WAL; it saves a disk flush per posted comment.
            """
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
            cursor.close()

        with app.app_context():
            sa.event.listen(db.engine, "connect", sqlite_pragmas)
            queue_s = float(app.config["DB_WRITE_QUEUE_S"])
            OneWriterPerProcess(queue_s).watch(db.engine)


# The statements before which Python's sqlite3 begins a transaction itself.
_WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
_HOLDS = "podcast_hub.sqlite_writer"


class OneWriterPerProcess:
    """Let the threads of one process take SQLite's write lock one at a time,
    each waiting its turn on a lock of the process.

    SQLite has one writer. A write that finds it busy polls, sleeping longer
    and longer between tries (up to a tenth of a second), so newcomers overtake
    those that have waited: with many threaded workers some writes wait past the
    busy timeout and fail, "database is locked" (8 of 1,000 posts at 4 workers
    × 16 threads). Queued on a lock here, the threads of a process wait in
    order, as requests wait for a sync worker, and only one of them at a time
    waits on SQLite (`DB_BUSY_TIMEOUT_S`) beside the other processes' writers,
    as with sync workers. A thread that waits its turn longer than
    `DB_WRITE_QUEUE_S` gets "database is locked" as from SQLite itself (a 503,
    `errors.database_away`).

    Each write transaction starts with BEGIN IMMEDIATE (Python's sqlite3
    begins one before the first INSERT, UPDATE or DELETE): the write lock is
    taken at the start, where the busy timeout applies, never upgraded from a
    read later on.
    """

    def __init__(self, queue_s: float) -> None:
        self.queue_s = queue_s
        self.lock = threading.Lock()
        self.pid = os.getpid()
        self.guard = threading.Lock()

    def watch(self, engine: sa.Engine) -> None:
        """Guard the write transactions of `engine`'s connections."""
        sa.event.listen(engine, "connect", self._connected)
        sa.event.listen(engine, "before_cursor_execute", self._before_execute)
        sa.event.listen(engine, "commit", self._ending)
        sa.event.listen(engine, "rollback", self._ending)
        sa.event.listen(engine, "checkin", self._checked_in)
        sa.event.listen(engine, "close", self._checked_in)

    def _process_lock(self) -> threading.Lock:
        # A worker forked from a process that loaded the app starts afresh.
        with self.guard:
            if self.pid != os.getpid():
                self.pid, self.lock = os.getpid(), threading.Lock()
            return self.lock

    def _connected(self, dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = "IMMEDIATE"

    def _before_execute(
        self,
        conn: sa.Connection,
        _cursor: Any,
        statement: str,
        *_args: Any,
    ) -> None:
        if _HOLDS in conn.info or not _WRITES.match(statement):
            return
        dbapi_connection = conn.connection.dbapi_connection
        if dbapi_connection is None or dbapi_connection.in_transaction:
            return
        lock = self._process_lock()
        if not lock.acquire(timeout=self.queue_s):
            raise sqlite3.OperationalError("database is locked")
        conn.info[_HOLDS] = lock

    def _ending(self, conn: sa.Connection) -> None:
        """Let the next thread begin as this transaction ends (it waits on
        SQLite for the few milliseconds the COMMIT itself takes)."""
        lock = conn.info.pop(_HOLDS, None)
        if lock is not None:
            lock.release()

    def _checked_in(self, _dbapi_connection: Any, record: Any) -> None:
        """Let the next thread write once the connection is back in the pool,
        rolled back if nothing ended its transaction before."""
        lock = record.info.pop(_HOLDS, None) if record is not None else None
        if lock is not None:
            lock.release()


class Changes:
    """A connection of this process to a SQLite file that only asks `PRAGMA
    data_version`, which moves whenever any other connection commits: this
    process's own, another worker's, the sqlite3 shell.

    What is kept as of a data_version (`info`, by whoever keeps it) is as good
    as new while the number has not moved. Read the number *before* the rows
    it vouches for: a commit in between then moves it past what was kept.
    (Python's sqlite3 begins no transaction for a SELECT, so each read sees
    the database as of its own start.)
    """

    _watches: "OrderedDict[str, Changes]" = OrderedDict()
    _lock = threading.Lock()
    # Databases watched at once (tests use many files, one at a time); the
    # first made goes first.
    KEPT = 4

    def __init__(self, path: str) -> None:
        self.pid = os.getpid()
        self._connection = sqlite3.connect(
            path, check_same_thread=False, isolation_level=None
        )
        self._lock = threading.Lock()
        # What users keep as of a data_version, each under a name of its own.
        self.info: dict[str, Any] = {}

    @classmethod
    def of_this_database(cls) -> "Changes | None":
        """Return the watch of the app's database, or None if not a SQLite file.

        (PostgreSQL has no such counter that every connection sees.)
        """
        url = db.engine.url
        path = url.database
        if url.get_backend_name() != "sqlite" or not path or path == ":memory:":
            return None
        if url.query:  # a URI filename, options: not worth the risk
            return None
        found = cls._watches.get(path)
        if found is not None and found.pid == os.getpid():
            return found
        with cls._lock:
            found = cls._watches.get(path)
            if found is None or found.pid != os.getpid():
                # A watch inherited from the parent process is left alone.
                found = cls._watches[path] = cls(path)
                while len(cls._watches) > cls.KEPT:
                    _, dropped = cls._watches.popitem(last=False)
                    if dropped.pid == os.getpid():
                        dropped._connection.close()
            cls._watches.move_to_end(path)
            return found

    def data_version(self) -> int:
        """Return the file's data_version: it moves at every commit elsewhere."""
        with self._lock:
            return int(self._connection.execute("PRAGMA data_version").fetchone()[0])


def _close_session(_error: BaseException | None) -> None:
    """End the request's session. A connection the database dropped after the
    answer was made (a restart: the closing ROLLBACK fails) is not a 500: the
    pool has already thrown it away, and the next checkout gets a new one."""
    try:
        db.session.remove()
    except sa.exc.DBAPIError as error:
        if not error.connection_invalidated:
            raise
        db.session.registry.clear()


def _migrations_dir() -> Path:
    """Return the package's `migrations/` (the top-level folder, shipped inside it)."""
    return Path(__file__).with_name("migrations")
