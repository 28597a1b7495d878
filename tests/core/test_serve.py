import socket

import pytest
import uvicorn

from kefu.core.management.commands.serve import _listening_socket


def test_the_workers_listening_socket_is_marked_tcp_so_connections_get_nodelay():
    # asyncio sets TCP_NODELAY only on accepted sockets whose protocol says TCP; without it
    # each kept-alive request after the first waits ~40 ms for a delayed acknowledgement
    config = uvicorn.Config("kefu.asgi:application", host="127.0.0.1", port=0, workers=2)

    sock = _listening_socket(config)
    try:
        assert sock.proto == socket.IPPROTO_TCP
        assert sock.family == socket.AF_INET
        sock.listen()
        client = socket.create_connection(sock.getsockname())
        accepted, _addr = sock.accept()
        assert accepted.proto == socket.IPPROTO_TCP
        accepted.close()
        client.close()
    finally:
        sock.close()


@pytest.mark.parametrize("value", ["abc", "0", "-1"])
def test_a_bad_thread_switch_interval_stops_the_server_with_a_clear_message(value):
    import os
    import subprocess
    import sys

    env = {**os.environ, "KEFU_THREAD_SWITCH_MS": value}
    done = subprocess.run(
        [sys.executable, "-c", "import kefu.asgi"], env=env, capture_output=True, text=True
    )

    assert done.returncode != 0
    assert "KEFU_THREAD_SWITCH_MS must be a number of milliseconds above 0" in done.stderr
