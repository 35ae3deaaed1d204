"""What the in-process page benchmarks share: Django's test client as a signed-in user, with DEBUG off.

Import after ``django.setup()``. ``bench_user`` makes (once) a user ``bench-<role>`` with that role at every site of
the study, so a benchmark never depends on the demo's users; ``production_pages`` serves static files from the
source tree (production settings want collected ones) and lets the test client's host in.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from accounts.models import User
from accounts.services import membership_grant
from studies.models import Study


def bench_user(study: Study, role: str) -> User:
    user, _created = User.objects.get_or_create(username=f"bench-{role}")
    membership_grant(user=user, study=study, role=role, sites=[], all_sites=True)
    return user


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@contextmanager
def production_pages() -> Iterator[None]:
    plain = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with override_settings(STORAGES=plain, ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        yield


def median_ms(function: Callable[[], object], repeat: int) -> tuple[float, int]:
    """Median wall time of ``repeat`` calls after one warm-up call, and the SQL queries of one more call."""
    function()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    connection.queries_log.clear()  # a full log (DEBUG on keeps the last 9,000) would count nothing
    with CaptureQueriesContext(connection) as queries:
        function()
    return statistics.median(times), len(queries)
