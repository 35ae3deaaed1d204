"""gunicorn.conf.py: a streamed download longer than gunicorn's worker timeout arrives whole.

A tiny WSGI app streams for about ten seconds under a three-second ``--timeout``; with the project's config
(gthread workers) the body arrives complete. The default sync worker is killed by its master mid-stream and the
body cut short (seen by hand with the same app and timeout: 3 of 10 chunks with ``-k sync``), which is why the
config exists: a long audit CSV was cut the same way. That control is not a test here: when it is killed depends
on the arbiter's loop and the machine's load, and the gthread worker's own check-in comes about once a second,
hence the margins.
"""

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
CHUNKS = 10
APP = f"""
import time

def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    for _ in range({CHUNKS}):
        time.sleep(1)
        yield b"x" * 1000 + b"\\n"
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(tmp_path: Path, *options: str) -> tuple[subprocess.Popen, str]:
    (tmp_path / "slow.py").write_text(APP)
    port = _free_port()
    command = [sys.executable, "-m", "gunicorn", "--chdir", str(tmp_path), "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", "1", "--timeout", "3", "--graceful-timeout", "1", *options, "slow:app"]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)  # noqa: S603
    base = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server, base
        except OSError:
            time.sleep(0.2)
    server.kill()
    pytest.fail("gunicorn did not start")


def _received(base: str) -> int:
    """Bytes of the body that arrived before the stream ended, normally or not."""
    size = 0
    try:
        with requests.get(base, timeout=30, stream=True) as answer:
            for chunk in answer.iter_content(chunk_size=None):
                size += len(chunk)
    except requests.exceptions.RequestException:  # the worker died mid-stream
        pass
    return size


def _stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()


@pytest.mark.slow
def test_the_projects_gthread_workers_stream_past_the_worker_timeout(tmp_path):
    server, base = _serve(tmp_path, "--config", str(ROOT / "gunicorn.conf.py"))
    try:
        assert _received(base) == CHUNKS * 1001
    finally:
        _stop(server)
