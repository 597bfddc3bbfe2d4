"""The tests are hermetic: pytest-socket (pyproject.toml's addopts) refuses every connection
that leaves the machine, so a test that secretly downloads fails here instead of passing on a
machine that happens to be online, while loopback (the browser suite and the lab test serve on
127.0.0.1) still works. Without --allow-hosts the loopback half fails; without the plugin the
outside half does (TEST-NET-1, RFC 5737, is never routed: an unguarded connection times out
with an OSError, not the guard's error).
"""

from __future__ import annotations

import socket

import pytest
from pytest_socket import SocketConnectBlockedError


@pytest.mark.filterwarnings("ignore:A test tried to use socket:UserWarning")
def test_outside_connections_are_refused_and_loopback_works():
    with pytest.raises(SocketConnectBlockedError):
        socket.create_connection(("192.0.2.1", 443), timeout=2)
    with socket.create_server(("127.0.0.1", 0)) as server:
        with socket.create_connection(server.getsockname(), timeout=5) as client:
            connection, _ = server.accept()
            with connection:
                client.sendall(b"softmax")
                assert connection.recv(64) == b"softmax"
