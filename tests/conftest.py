"""Shared fixtures: a small world of two studies and personas for every role."""

import os
import shutil
from types import SimpleNamespace

import pytest

from accounts.models import Role
from accounts.services import membership_grant
from tests.factories import ParticipantFactory, SiteFactory, StudyFactory, UserFactory

# file_storage / s3_endpoint: the local folder and a moto S3 server, for the object-storage tests
pytest_plugins = ["tests.s3"]


def services_required() -> bool:
    """CI sets REQUIRE_SERVICES=1: then a missing broker or browser fails instead of skipping."""
    return os.environ.get("REQUIRE_SERVICES") == "1"


def broker_required() -> None:
    """Skip a test that needs the Redis broker when none is configured; fail instead in CI."""
    from django.conf import settings

    if not settings.CELERY_BROKER_URL:
        if services_required():
            pytest.fail("CELERY_BROKER_URL must point at Redis in CI")
        pytest.skip("no broker configured: tasks run in-process")


@pytest.fixture(autouse=True)
def two_factor_off(settings):
    """Personas log in with force_login (no OTP device); tests/test_two_factor_required.py turns it back on."""
    settings.REQUIRE_2FA = False


@pytest.fixture
def world(db):
    """Study ``alpha`` with sites A and B, study ``beta`` with site C, one participant at each site."""
    study = StudyFactory(code="alpha", title="Alpha study")
    site_a = SiteFactory(study=study, code="A", name="Site A")
    site_b = SiteFactory(study=study, code="B", name="Site B")
    other_study = StudyFactory(code="beta", title="Beta study")
    site_c = SiteFactory(study=other_study, code="C", name="Site C")
    return SimpleNamespace(
        study=study,
        site_a=site_a,
        site_b=site_b,
        other_study=other_study,
        site_c=site_c,
        participant_a=ParticipantFactory(site=site_a, identifier="ALPHA-A-0001"),
        participant_b=ParticipantFactory(site=site_b, identifier="ALPHA-B-0001"),
        participant_c=ParticipantFactory(site=site_c, identifier="BETA-C-0001"),
    )


@pytest.fixture
def make_persona(world):
    """A user with ``role`` in study alpha at site A only (or at every site)."""

    def make(role: str, *, all_sites: bool = False, study=None, sites=None):
        user = UserFactory(username=f"{role}-{'all' if all_sites else 'a'}")
        study = study or world.study
        sites = sites if sites is not None else ([] if all_sites else [world.site_a])
        membership_grant(user=user, study=study, role=role, sites=sites, all_sites=all_sites)
        return user

    return make


ALL_ROLES = [role.value for role in Role]


@pytest.fixture
def chromium_path():
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(path):
        if services_required():
            pytest.fail("chromium is required in CI (apt-get install -y chromium)")
        pytest.skip("Debian's chromium is not installed")
    return path


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture
def page(chromium_path, monkeypatch):
    """A Playwright page in Debian's headless chromium (use with the live_server fixture)."""
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # afterwards are still synchronous and safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="en-GB")
        page = context.new_page()
        page.set_default_timeout(15000)
        yield page
        browser.close()


@pytest.fixture(autouse=True)
def tasks_in_process(request):
    """CI sets a broker for the whole suite; only tests marked ``services`` go through it, the rest run in-process."""
    from lbpb.celery import app

    if request.node.get_closest_marker("services") is not None:
        yield
        return
    before = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


@pytest.fixture(autouse=True)
def english_by_default():
    """Each test starts in the default language, whatever an earlier test in this process activated."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()
