"""The test suite's own live server, which the browser tests stand on."""

import gc
import socket
import struct
import threading
import time

from .browser import make_lighthouse


def _reset_mid_answer(url, path):
    """Ask for `path`, read the first bytes of the answer, and reset the
    connection as Chromium does when it has what it wanted of a media file."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        assert sock.recv(1024).startswith(b"HTTP/1.1 200")
        # A linger of zero: close() sends RST, not FIN.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def test_a_media_answer_is_closed_when_the_browser_resets_it(
    app, media_dir, live_server
):
    """No file is left for the garbage collector to close (and warn about in
    some later test) when a media request is reset half-way."""
    with app.app_context():
        make_lighthouse(media_dir)
    serving = threading.active_count()
    for _ in range(20):
        _reset_mid_answer(live_server, "/media/lighthouse.m4a")
    deadline = time.monotonic() + 10
    while threading.active_count() > serving and time.monotonic() < deadline:
        time.sleep(0.02)
    # A file dropped unclosed warns here, which fails the test.
    gc.collect()
