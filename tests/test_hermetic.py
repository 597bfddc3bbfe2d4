"""The tests are hermetic: pytest-socket (pyproject.toml's addopts) refuses every
connection that leaves the machine, so a test that secretly downloads fails here
instead of passing on a machine that happens to be online. Loopback and Unix
sockets still work (the browser suite and the lab test serve on 127.0.0.1).

Each test fails without its option: the refusals without --allow-hosts (the
addresses are from TEST-NET-1, RFC 5737, never routed, so an unguarded
connection times out with an OSError, not the guard's error); the loopback
tests when 127.0.0.1 or ::1 leaves the list; the Unix one without
--allow-unix-socket.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import urllib.request

import pytest
from pytest_socket import SocketConnectBlockedError

OUTSIDE_IP = "192.0.2.1"  # TEST-NET-1, never routed

# pytest-socket also warns on each refusal; here the refusals are expected.
pytestmark = pytest.mark.filterwarnings("ignore:A test tried to use socket:UserWarning")


def test_connect_to_an_outside_address_is_refused():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(2)
        with pytest.raises(SocketConnectBlockedError):
            sock.connect((OUTSIDE_IP, 80))


def test_create_connection_to_an_outside_host_is_refused():
    with pytest.raises(SocketConnectBlockedError):
        socket.create_connection((OUTSIDE_IP, 443), timeout=2)


def test_a_download_is_refused():
    with pytest.raises(SocketConnectBlockedError):
        urllib.request.urlopen(f"http://{OUTSIDE_IP}/fashion-mnist.gz", timeout=2)


@contextlib.contextmanager
def _echo_server(family: int, address):
    """A server on address that answers one message in capitals; yields its address."""
    server = socket.socket(family, socket.SOCK_STREAM)
    server.bind(address)
    server.listen(1)

    def serve():
        conn, _ = server.accept()
        with conn:
            conn.sendall(conn.recv(64).upper())

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()
    finally:
        thread.join(timeout=5)
        server.close()


def _ask(client: socket.socket) -> bytes:
    with client:
        client.sendall(b"softmax")
        return client.recv(64)


def _connected(family: int, address) -> socket.socket:
    client = socket.socket(family, socket.SOCK_STREAM)
    client.settimeout(5)
    client.connect(address)
    return client


def test_ipv4_loopback_still_works():
    with _echo_server(socket.AF_INET, ("127.0.0.1", 0)) as address:
        assert _ask(_connected(socket.AF_INET, address)) == b"SOFTMAX"


def test_localhost_still_works():
    with _echo_server(socket.AF_INET, ("127.0.0.1", 0)) as (_, port):
        assert _ask(socket.create_connection(("localhost", port), timeout=5)) == b"SOFTMAX"


def _has_ipv6_loopback() -> bool:
    """IPv6 may be compiled in with ::1 not configured (some containers)."""
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not (socket.has_ipv6 and _has_ipv6_loopback()), reason="no ::1 here")
def test_ipv6_loopback_still_works():
    with _echo_server(socket.AF_INET6, ("::1", 0)) as address:
        assert _ask(_connected(socket.AF_INET6, address)) == b"SOFTMAX"


def test_unix_sockets_still_work(tmp_path):
    with _echo_server(socket.AF_UNIX, str(tmp_path / "echo.sock")) as address:
        assert _ask(_connected(socket.AF_UNIX, address)) == b"SOFTMAX"
