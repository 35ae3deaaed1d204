"""A throw-away production stack on loopback: PostgreSQL, Redis, gunicorn (DEBUG off) and a Celery worker.

Each service is the machine's own binary started in a temporary folder on a free port, so a load run or a fault
test never touches a shared database or broker and can restart or kill what it started. PostgreSQL runs as the
``postgres`` system user when started by root (initdb refuses root). Nothing here imports Django: the product runs
in the processes it starts, with production settings from the environment (``Stack.env``).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path(os.environ.get("LOADTEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
HOST = "edc.example.org"  # the name the server answers to; requests go to 127.0.0.1 with this Host header
PASSWORD = "lumbar-Load-2026"  # every load-test user's password (throw-away database)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _wait(predicate, *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not come up within {seconds:.0f} s")


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback URL we built)
            return response.status == 200
    except OSError:
        return False


@dataclass
class Stack:
    """The services of one run, in ``folder``; ``stop()`` ends every process it started."""

    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="lbpb-load-")))
    web_workers: int = 4
    media_root: Path | None = None
    pg_port: int = field(default_factory=free_port)
    redis_port: int = field(default_factory=free_port)
    web_port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)
    redis_persistent: bool = False  # appendonly yes, as docker-compose.yml runs production's Redis
    worklist: str = ""  # the seed's JSON (users, work lists), once written

    def build(self, *, participants: int, coordinators: int, monitors: int) -> str:
        """Every service, the generated study and its users (``worklist.json`` in the folder); returns the
        generator's summary line. On any failure, Ctrl-C included, the services started so far are stopped."""
        try:
            self.postgres_init()
            self.redis_start()
            self.manage("migrate", "--noinput")
            summary = self.manage("generate_study", "--study", "lbpb", "--participants", str(participants))
            seed = "from loadtest.seed import main; main(sys.argv[1:])"
            self.worklist = self.python(seed, "lbpb", str(coordinators), str(monitors))
            (self.folder / "worklist.json").write_text(self.worklist, encoding="utf-8")
            self.collectstatic()
            self.web_start()
            self.worker_start()
        except BaseException:
            self.stop()
            raise
        return summary.strip().splitlines()[-1]

    # --- environment ------------------------------------------------------------------------------------------

    @property
    def database_url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.pg_port}/lbpb"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def env(self) -> dict[str, str]:
        """Production settings (DEBUG off, two-factor log-in required) behind a pretend TLS proxy."""
        env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "CELERY_"))}
        env.pop("DATABASE_URL", None)
        env.update(
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY="load-test-" + "k" * 48,
            DJANGO_ALLOWED_HOSTS=HOST,
            DJANGO_CSRF_TRUSTED_ORIGINS=f"https://{HOST}",
            DJANGO_BEHIND_PROXY="1",
            DJANGO_STATIC_ROOT=str(self.folder / "static"),
            DJANGO_MEDIA_ROOT=str(self.media_root or self.folder / "media"),
            DJANGO_LOG_LEVEL="WARNING",
            DATABASE_URL=self.database_url,
            DATABASE_CONN_MAX_AGE="60",
            CELERY_BROKER_URL=f"redis://127.0.0.1:{self.redis_port}/0",
            CELERY_VISIBILITY_TIMEOUT="5",  # a killed worker's message comes back within seconds, not an hour
            PYTHON=sys.executable,
            **self.extra_env,
        )
        return env

    def manage(self, *args: str, timeout: float = 1800) -> str:
        return self._run([sys.executable, "manage.py", *args], self.env(), timeout=timeout)

    def python(self, code: str, *args: str, timeout: float = 600) -> str:
        """Run ``code`` in a Django-configured process of the stack (for setup and checks, never in a request)."""
        prelude = "import django, sys; django.setup()\n"
        env = {**self.env(), "DJANGO_SETTINGS_MODULE": "lbpb.settings", "PYTHONPATH": str(ROOT)}
        return self._run([sys.executable, "-c", prelude + code, *args], env, timeout=timeout)

    def _run(self, command: list[str], env: dict[str, str], *, timeout: float) -> str:
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
        if done.returncode:
            shown = " ".join(command[1:3])[:80]
            raise RuntimeError(f"{shown} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
        return done.stdout

    def _spawn(self, name: str, command: list[str], **kwargs) -> subprocess.Popen:
        log = (self.folder / f"{name}.log").open("ab")
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, **kwargs)
        self.processes[name] = process
        return process

    def log_tail(self, name: str, chars: int = 3000) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    # --- PostgreSQL -------------------------------------------------------------------------------------------

    @property
    def pg_data(self) -> Path:
        return self.folder / "pg"

    def postgres_init(self) -> None:
        self.pg_data.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
            shutil.chown(self.pg_data, "postgres")
        subprocess.run(
            _as_postgres([str(PG_BIN / "initdb"), "-D", str(self.pg_data), "-U", "postgres", "-A", "trust"]),
            check=True,
            capture_output=True,
        )
        self.postgres_start()
        subprocess.run(
            [str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres", "lbpb"],
            check=True,
        )

    def postgres_start(self) -> None:
        options = f"-p {self.pg_port} -k {self.pg_data} -c listen_addresses=127.0.0.1 -c max_connections=200"
        subprocess.run(
            _as_postgres(
                [str(PG_BIN / "pg_ctl"), "-D", str(self.pg_data), "-l", str(self.pg_data / "server.log")]
                + ["-o", options, "-w", "start"]
            ),
            check=True,
            capture_output=True,
        )

    def postgres_stop(self, mode: str = "fast") -> None:
        subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.pg_data), "-m", mode, "-w", "stop"]),
            check=False,
            capture_output=True,
        )

    # --- Redis ------------------------------------------------------------------------------------------------

    def redis_start(self) -> None:
        command = ["redis-server", "--bind", "127.0.0.1", "--port", str(self.redis_port), "--save", "''"]
        persistence = ["--appendonly", "yes"] if self.redis_persistent else ["--appendonly", "no"]
        command += [*persistence, "--dir", str(self.folder)]
        self._spawn("redis", command)
        _wait(lambda: self._redis_ping(), seconds=10, what="redis-server")

    def _redis_ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.redis_port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def redis_stop(self) -> None:
        self._end("redis", signal.SIGTERM)

    # --- gunicorn and the Celery worker -------------------------------------------------------------------------

    def collectstatic(self) -> None:
        subprocess.run([str(ROOT / "bin" / "collectstatic")], env=self.env(), check=True, capture_output=True)
        manifest = (self.folder / "static" / "staticfiles.json").read_text(encoding="utf-8")
        if "vendor/bootstrap/css/bootstrap.min.css" not in manifest:  # every page would be a 500
            raise RuntimeError("collectstatic found no front-end assets: run `make assets` (npm ci) first")

    def web_start(self) -> None:
        command = [sys.executable, "-m", "gunicorn", "lbpb.wsgi:application", "--bind", f"127.0.0.1:{self.web_port}"]
        command += ["--workers", str(self.web_workers), "--timeout", "120", "--graceful-timeout", "5"]
        self._spawn("gunicorn", command, cwd=ROOT, env=self.env())
        _wait(lambda: _answers(self.base_url + "/health/"), seconds=60, what="gunicorn")

    def worker_start(self, name: str = "worker") -> subprocess.Popen:
        command = [sys.executable, "-m", "celery", "-A", "lbpb", "worker", "--pool=solo", "--loglevel=INFO"]
        command += ["--without-gossip", "--without-mingle", "-n", f"{name}@%h"]
        return self._spawn(name, command, cwd=ROOT, env=self.env())

    def _end(self, name: str, sig: int = signal.SIGTERM, wait: float = 15) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, sig)
        try:
            process.wait(wait)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(wait)

    def kill(self, name: str) -> None:
        """SIGKILL, as the kernel's OOM killer or a lost machine would: no clean-up runs."""
        self._end(name, signal.SIGKILL)

    def stop(self, *, keep: bool = False) -> None:
        for name in list(self.processes):
            self._end(name)
        if self.pg_data.exists():
            self.postgres_stop("immediate")
        if not keep:
            shutil.rmtree(self.folder, ignore_errors=True)
