"""Throwaway servers the tests start for themselves: a PostgreSQL cluster and a
Redis server, each in a temporary folder, on a free loopback port.

PostgreSQL refuses to run as root (CI runs as root): then the cluster's folder
belongs to an ordinary user (`postgres`, which Debian's package makes, or
`PODCAST_HUB_TEST_PG_USER`) and its programs run as that user through
`runuser`.
"""

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PG_PROGRAMS = ("initdb", "pg_ctl")
PG_ROLE = "hub"


def free_port():
    """Return a TCP port on 127.0.0.1 that nothing listens on just now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgres_bin():
    """Return the folder of PostgreSQL's server programs, or None."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    versions = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda path: int(Path(path).parts[-3]),
    )
    return Path(versions[-1]).parent if versions else None


def _server_user():
    """Return the ordinary user to run PostgreSQL as when we are root, or None."""
    if os.geteuid() != 0:
        return None
    for name in (os.environ.get("PODCAST_HUB_TEST_PG_USER"), "postgres", "nobody"):
        if not name:
            continue
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise RuntimeError("running as root, and no ordinary user to run PostgreSQL as")


class PostgresCluster:
    """A PostgreSQL cluster in a temporary folder: its own socket, its own port.

    Made for speed, not durability: no fsync, no synchronous commit.
    """

    def __init__(self):
        self.bin = postgres_bin()
        if self.bin is None:
            raise RuntimeError(
                "PostgreSQL's server programs (initdb, pg_ctl) were not found: "
                "install Debian's postgresql package, or give a server with "
                "PODCAST_HUB_TEST_DATABASE_URL"
            )
        self.user = _server_user()
        self.folder = Path(tempfile.mkdtemp(prefix="podcast-hub-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.port = free_port()
        if self.user is not None:
            os.chown(self.folder, self.user.pw_uid, self.user.pw_gid)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            PG_ROLE,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        self.start()

    def _run(self, program, *args, check=True):
        command = [str(self.bin / program), *args]
        if self.user is not None:
            command = ["runuser", "-u", self.user.pw_name, "--", *command]
        result = subprocess.run(
            command, capture_output=True, text=True, cwd=self.folder, check=False
        )
        if check and result.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(
                f"{program} failed:\n{result.stdout}\n{result.stderr}\n{log}"
            )
        return result

    def start(self):
        """Start the server and wait until it takes connections."""
        options = " ".join(
            [
                f"-p {self.port}",
                "-c listen_addresses=127.0.0.1",
                f"-c unix_socket_directories={self.folder}",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c max_connections=200",
            ]
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
            "-w",
            "start",
        )

    def stop(self, mode="fast"):
        """Stop the server (`fast`: ends every session, as a restart would)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def url(self, database="postgres"):
        """Return the SQLAlchemy URL of `database`, over the cluster's socket."""
        return (
            f"postgresql+psycopg://{PG_ROLE}@/{database}"
            f"?host={self.folder}&port={self.port}"
        )

    def remove(self):
        """Stop the server if it runs and delete its folder."""
        self._run(
            "pg_ctl", "-D", str(self.data), "-m", "immediate", "stop", check=False
        )
        shutil.rmtree(self.folder, ignore_errors=True)


class RedisServer:
    """Debian's redis-server on a free loopback port, keeping nothing on disk."""

    def __init__(self):
        program = shutil.which("redis-server")
        if program is None:
            raise RuntimeError("redis-server was not found: install Debian's package")
        self.program = program
        self.folder = Path(tempfile.mkdtemp(prefix="podcast-hub-redis-"))
        self.port = free_port()
        self.process = None
        self.start()

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        """Start the server and wait until it answers."""
        self.process = subprocess.Popen(
            [
                self.program,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as conn,
            ):
                conn.sendall(b"PING\r\n")
                if conn.recv(16).startswith(b"+PONG"):
                    return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not start")

    def stop(self):
        """Stop the server."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def remove(self):
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
