"""The unit tests are hermetic: tests/conftest.py refuses every connection
that leaves the machine, so a test that secretly downloads fails here instead
of passing on a machine that happens to be online. Loopback still works (the
browser tests serve the book on 127.0.0.1).

The addresses below are from TEST-NET-1 (RFC 5737), reserved for
documentation: were the guard missing, the connection would time out with an
``OSError``, not the guard's error, and these tests would fail.
"""

from __future__ import annotations

import socket
import threading
import urllib.request

import pytest

OUTSIDE_IP = "192.0.2.1"  # TEST-NET-1, never routed
BLOCKED = r"unit tests may not"


def test_connect_to_an_outside_address_is_refused():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(2)
        with pytest.raises(RuntimeError, match=BLOCKED):
            sock.connect((OUTSIDE_IP, 80))


def test_create_connection_to_an_outside_host_is_refused():
    with pytest.raises(RuntimeError, match=BLOCKED):
        socket.create_connection((OUTSIDE_IP, 443), timeout=2)


def test_resolving_an_outside_name_is_refused():
    with pytest.raises(RuntimeError, match=BLOCKED):
        socket.getaddrinfo("pypi.org", 443)


def test_a_download_is_refused():
    with pytest.raises(RuntimeError, match=BLOCKED):
        urllib.request.urlopen(f"http://{OUTSIDE_IP}/fashion-mnist.gz", timeout=2)


def _echo_server(host: str, family: int) -> tuple[socket.socket, threading.Thread]:
    server = socket.socket(family, socket.SOCK_STREAM)
    server.bind((host, 0))
    server.listen(1)

    def serve():
        conn, _ = server.accept()
        with conn:
            conn.sendall(conn.recv(64).upper())

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return server, thread


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_loopback_still_works(host):
    server, thread = _echo_server("127.0.0.1", socket.AF_INET)
    port = server.getsockname()[1]
    try:
        with socket.create_connection((host, port), timeout=5) as client:
            client.sendall(b"softmax")
            assert client.recv(64) == b"SOFTMAX"
    finally:
        thread.join(timeout=5)
        server.close()


@pytest.mark.skipif(not socket.has_ipv6, reason="no IPv6 on this machine")
def test_ipv6_loopback_still_works():
    try:
        server, thread = _echo_server("::1", socket.AF_INET6)
    except OSError as error:  # IPv6 compiled in but ::1 not configured
        pytest.skip(f"::1 is not available here: {error}")
    port = server.getsockname()[1]
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as client:
            client.settimeout(5)
            client.connect(("::1", port))
            client.sendall(b"q")
            assert client.recv(64) == b"Q"
    finally:
        thread.join(timeout=5)
        server.close()


def test_local_unix_sockets_still_work():
    left, right = socket.socketpair()
    with left, right:
        left.sendall(b"eta")
        assert right.recv(8) == b"eta"
