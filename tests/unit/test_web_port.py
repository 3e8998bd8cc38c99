"""A fixed --web-port is free again the moment the demo that held it stops."""
import socket

import pytest

from tickersim.local import web


def test_a_port_left_in_time_wait_by_a_stopped_demo_is_bound_again_at_once():
    listener = web.bind(0)
    port = listener.getsockname()[1]
    client = socket.create_connection((web.HOST, port))
    served, _ = listener.accept()
    served.close()          # the server closes first, as a stopping demo does: TIME_WAIT
    client.close()
    listener.close()
    again = web.bind(port)
    assert again.getsockname()[1] == port
    again.close()


def test_a_port_another_program_listens_on_is_still_refused_with_one_line():
    other = web.bind(0)
    port = other.getsockname()[1]
    with pytest.raises(web.WebError, match=f"cannot listen on 127.0.0.1:{port} .*--web-port"):
        web.bind(port)
    other.close()
