"""The production path: the image's collectstatic, gunicorn with DEBUG off, and real HTTP.

The middleware tests run everywhere. The server test is marked ``services``: it needs PostgreSQL (gunicorn
is another process, so it must reach the test database; SQLite's in-memory test database is invisible to
it), so it skips on SQLite and fails instead in CI (REQUIRE_SERVICES=1).
"""

import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import requests
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from lbpb.management.commands.load_demo import DEMO_PASSWORD, DEMO_USERS
from tests.conftest import services_required

HOST = "edc.example.org"
ROOT = Path(settings.BASE_DIR)


# --- The health check answers the container's probe by address, and only that URL -------------------------


@pytest.fixture
def production_hosts(settings):
    settings.ALLOWED_HOSTS = [HOST]
    settings.SECURE_SSL_REDIRECT = True


@pytest.mark.django_db
def test_health_answers_a_probe_by_address_over_plain_http(client, production_hosts):
    response = client.get("/health/", HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_other_pages_still_refuse_an_address_that_is_not_an_allowed_host(client, production_hosts):
    assert client.get("/account/login/", HTTP_HOST="127.0.0.1:8000").status_code == 400
    assert client.get("/health/x", HTTP_HOST="127.0.0.1:8000").status_code == 400
    assert client.post("/health/", HTTP_HOST="127.0.0.1:8000").status_code == 400


@pytest.mark.django_db
def test_other_pages_are_still_redirected_to_https(client, production_hosts):
    response = client.get("/account/login/", HTTP_HOST=HOST)
    assert response.status_code == 301
    assert response["Location"] == f"https://{HOST}/account/login/"


def test_health_keeps_its_database_check(client, production_hosts, monkeypatch):
    from django.db import DatabaseError

    def unreachable(*args, **kwargs):
        raise DatabaseError("down")

    monkeypatch.setattr(connection, "cursor", unreachable)
    response = client.get("/health/", HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable"}


# --- gunicorn with production settings over real HTTP ------------------------------------------------------


def _database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'], safe='')}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _production_env(static_root: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="production-test-" + os.urandom(24).hex(),
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_CSRF_TRUSTED_ORIGINS=f"https://{HOST}",
        DJANGO_BEHIND_PROXY="1",
        DJANGO_STATIC_ROOT=str(static_root),
        DJANGO_REQUIRE_2FA="0",  # the demo roles log in with a password only (two-factor: tests/test_two_factor_required.py)
        DATABASE_URL=_database_url(),
        DATABASE_CONN_MAX_AGE="0",
        PYTHON=sys.executable,
    )
    return env


class Client:
    """requests behind a pretend TLS proxy: Host and X-Forwarded-Proto set, cookies kept by hand (the
    session and CSRF cookies are Secure, and a cookie jar does not send those over http)."""

    def __init__(self, base: str):
        self.base = base
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Host": HOST, "X-Forwarded-Proto": "https", **kwargs.pop("headers", {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if method == "POST":
            headers.update(Origin=f"https://{HOST}", Referer=f"https://{HOST}{path}")
        response = requests.request(
            method, self.base + path, headers=headers, allow_redirects=False, timeout=30, **kwargs
        )
        for line in response.raw.headers.getlist("Set-Cookie"):
            for name, morsel in SimpleCookie(line).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def get(self, path: str, *, follow: bool = True) -> requests.Response:
        response = self.request("GET", path)
        for _ in range(5):
            if not (follow and response.is_redirect):
                break
            location = urlsplit(response.headers["Location"])
            assert location.netloc in ("", HOST), response.headers["Location"]
            response = self.request("GET", location.path + (f"?{location.query}" if location.query else ""))
        return response

    def log_in(self, username: str, password: str) -> requests.Response:
        page = self.get("/account/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        data = {
            "csrfmiddlewaretoken": token,
            "login_view-current_step": "auth",
            "auth-username": username,
            "auth-password": password,
        }
        response = self.request("POST", "/account/login/", data=data)
        assert response.status_code == 302, f"{username}: log-in answered {response.status_code}"
        return self.get(urlsplit(response.headers["Location"]).path)


def _nav_links(html: str) -> list[str]:
    nav = re.search(r"<nav.*?</nav>", html, re.S).group(0)
    return sorted({href for href in re.findall(r'href="([^"]+)"', nav) if href.startswith("/")})


@pytest.fixture
def gunicorn(tmp_path):
    """The production server: the image's bin/collectstatic, then gunicorn on a free port; killed afterwards."""
    env = _production_env(tmp_path / "static")
    subprocess.run([str(ROOT / "bin" / "collectstatic")], env=env, check=True, capture_output=True, timeout=120)
    assert (tmp_path / "static" / "staticfiles.json").exists()
    port = _free_port()
    log = (tmp_path / "gunicorn.log").open("w+")
    command = [sys.executable, "-m", "gunicorn", "lbpb.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", "2", "--timeout", "60", "--graceful-timeout", "5"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(server, base, log)
        yield base
    finally:
        _stop(server)
        log.close()


def _wait_until_up(server: subprocess.Popen, base: str, log) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log.seek(0)
            pytest.fail(f"gunicorn exited with {server.returncode}:\n{log.read()[-3000:]}")
        try:
            requests.get(base + "/health/", timeout=5)
            return
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or a worker still booting
            time.sleep(0.2)
    log.seek(0)
    pytest.fail(f"gunicorn did not answer within 30 s:\n{log.read()[-3000:]}")


def _stop(server: subprocess.Popen) -> None:
    """Stop gunicorn and its workers (its own process group), by force if it will not go."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


@pytest.fixture
def demo_in_postgresql(transactional_db):
    """The demo, committed (gunicorn is another process and sees only committed rows)."""
    if connection.vendor != "postgresql":
        if services_required():
            pytest.fail("DATABASE_URL must point at PostgreSQL in CI")
        pytest.skip("needs PostgreSQL (set DATABASE_URL): gunicorn cannot see SQLite's in-memory test database")
    call_command("load_demo", stdout=io.StringIO())


@pytest.mark.services
def test_gunicorn_with_debug_off_serves_health_login_static_files_and_every_role(demo_in_postgresql, gunicorn):
    health = requests.get(gunicorn + "/health/", timeout=10)  # the container's probe: by address, plain http
    assert (health.status_code, health.json()) == (200, {"status": "ok", "database": "ok"})
    assert requests.get(gunicorn + "/account/login/", timeout=10).status_code == 400  # the address is no host

    anonymous = Client(gunicorn)
    login = anonymous.get("/account/login/")
    assert login.status_code == 200
    assert "Strict-Transport-Security" in login.headers
    stylesheet = re.search(r'href="(/static/vendor/bootstrap/css/bootstrap\.min\.[0-9a-f]{12}\.css)"', login.text)
    assert stylesheet, "the log-in page links the hashed bootstrap stylesheet from the manifest"
    css = anonymous.get(stylesheet.group(1))
    assert (css.status_code, css.headers["Content-Type"].split(";")[0]) == (200, "text/css")

    with ThreadPoolExecutor(max_workers=2) as pool:  # one request in flight per gunicorn worker
        usernames = [username for username, *_ in DEMO_USERS]
        visits = dict(zip(usernames, pool.map(lambda name: _visit_navigation(gunicorn, name), usernames), strict=True))
    assert all(len(pages) > 3 for pages in visits.values()), visits
    not_ok = [
        f"{name} {link} {status}" for name, pages in visits.items() for link, status in pages.items() if status != 200
    ]
    assert not_ok == []


def _visit_navigation(base: str, username: str) -> dict[str, int]:
    """Log ``username`` in through the two-factor wizard and open every link of its navigation bar."""
    client = Client(base)
    home = client.log_in(username, DEMO_PASSWORD)
    assert home.status_code == 200 and "sessionid" in client.cookies, username
    return {link: client.get(link).status_code for link in _nav_links(home.text)}
