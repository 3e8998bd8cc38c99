"""The demo's --web-port and --no-web: bad input is one line and exit 2, before anything starts."""
import socket
import subprocess
import sys

from tickersim.base import stage as stages


def demo(*args, tmp_path):
    return subprocess.run([sys.executable, "-m", "tickersim", "demo", "--no-live", "--runs", "1",
                           "--interval", "0", "--out", str(tmp_path), *args],
                          cwd=stages.PROJECT_DIR, capture_output=True, text=True, timeout=300)


def test_a_busy_web_port_is_refused_in_one_line(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = demo("--web-port", str(port), tmp_path=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"demo: cannot listen on 127.0.0.1:{port} (Address already in use): pick another "
        "--web-port (0 for any free one), or --no-web"]


def test_an_impossible_web_port_is_refused(tmp_path):
    done = demo("--web-port", "70000", tmp_path=tmp_path)
    assert (done.returncode, done.stderr) == (2, "demo: --web-port must be from 0 to 65535\n")


def test_no_web_serves_nothing_and_prints_no_url(tmp_path):
    done = demo("--no-web", tmp_path=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "http://127.0.0.1" not in done.stdout.split("local AWS at")[0]
    assert "live chart" not in done.stdout
