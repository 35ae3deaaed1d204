"""Simulated users of one study (locust, headless; started by ``python -m loadtest``).

Coordinators (site-scoped) browse the participant list and the record status grid, open participants, open a CRF
from the participant page and save a change through the real form POST (CSRF token, lock version, reason), and
answer open queries. Monitors and the PI read the dashboards; the data manager runs one data export after another
(a Celery job) and downloads each. ``LOAD_THINK=0`` removes the think time (the saturation run); ``LOAD_HEALTH=1``
runs only the health endpoint (the reference measured in the same run). The users, their passwords, the TOTP key
and each site's work list come from the JSON file ``LOAD_WORKLIST`` (``loadtest/seed.py`` writes it).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
from pathlib import Path

import gevent.event
from locust import HttpUser, between, constant, events, task

from loadtest.browser import Browser, crf_fields, csrf_token, editable_forms, location_path
from loadtest.stack import PASSWORD

WORK = (
    json.loads(Path(os.environ["LOAD_WORKLIST"]).read_text(encoding="utf-8")) if "LOAD_WORKLIST" in os.environ else {}
)
STUDY = WORK.get("study", "lbpb")
THINK = os.environ.get("LOAD_THINK", "1") != "0"
HEALTH_ONLY = os.environ.get("LOAD_HEALTH") == "1"
WAIT = between(5, 15) if THINK else constant(0)  # one action every 5-15 s (10 s on average), or none
COORDINATORS = itertools.cycle(WORK.get("users", {}).get("coordinator", ["coord000:01"]))
MONITORS = itertools.cycle(WORK.get("users", {}).get("monitor", ["monitor00"]))
MARKER = os.environ.get("LOAD_MARKER")  # written when every user has logged in: the measured window starts
DURATION = float(os.environ.get("LOAD_DURATION", "0"))  # seconds measured after that; then locust stops
ALL_IN = gevent.event.Event()
LOGGED_IN = [0]


def _logged_in(environment) -> None:
    """Count a user in; once all are in, reset the statistics (log-ins and ramp-up are not measured), mark the
    start for the runner's CPU sampling, and stop the run ``DURATION`` seconds later."""
    LOGGED_IN[0] += 1
    if LOGGED_IN[0] < environment.parsed_options.num_users:
        ALL_IN.wait()
        return
    environment.runner.stats.reset_all()
    if MARKER:
        with open(MARKER, "w", encoding="utf-8") as handle:
            handle.write(str(time.time()))
    if DURATION:
        gevent.spawn_later(DURATION, environment.runner.quit)
    ALL_IN.set()


@events.test_start.add_listener
def _reset(environment, **_kwargs) -> None:
    LOGGED_IN[0] = 0


def _check(response, *expected: int) -> None:
    """Locust's catch_response: anything but the expected status (a 5xx, a 403, a form re-rendered) is an error."""
    if response.status_code not in expected:
        response.failure(f"HTTP {response.status_code}")
    else:
        response.success()


class Visitor(HttpUser):
    abstract = True
    wait_time = WAIT

    def browser(self) -> Browser:
        return Browser(self.client, "", named=True)  # locust's client already holds --host

    def enter(self, username: str, password: str, *, totp_key: str | None = None) -> None:
        """Log in, then wait for the others; a failed log-in is an error in the figures and still counts in."""
        try:
            self.web.log_in(username, password, totp_key=totp_key)
        except (RuntimeError, ValueError) as problem:
            self.environment.events.request.fire(
                request_type="POST", name="log-in", response_time=0, response_length=0, exception=problem, context={}
            )
        finally:
            _logged_in(self.environment)

    def get(self, path: str, name: str, *expected: int):
        with self.web.get(path, name=name, catch_response=True) as response:
            _check(response, *(expected or (200,)))
        return response

    def post(self, path: str, data, name: str, *expected: int):
        with self.web.post(path, data, name=name, catch_response=True) as response:
            _check(response, *(expected or (302,)))
        return response


class Coordinator(Visitor):
    weight = 10

    def on_start(self) -> None:
        username, self.site = next(COORDINATORS).split(":")
        self.work = WORK.get("sites", {}).get(self.site, {"participants": [], "queries": []})
        self.web = self.browser()
        self.enter(username, PASSWORD)

    @task(3)
    def participant_list(self) -> None:
        self.get(f"/participants/study/{STUDY}/?page={random.randint(1, 5)}", "participant list")

    @task(2)
    def status_grid(self) -> None:
        self.get(f"/reports/study/{STUDY}/status-grid/", "status grid")

    @task(4)
    def participant_and_crf(self) -> None:
        if not self.work["participants"]:
            return
        participant = random.choice(self.work["participants"])
        page = self.get(f"/participants/{participant}/", "participant page")
        chips = editable_forms(page.text)
        if not chips:
            return
        href = random.choice(chips)
        form = self.get(href, "CRF page")
        self.crf_save(href, form.text)

    def crf_save(self, href: str, page: str) -> None:
        response = self.post(href, crf_fields(page), "CRF save")
        if response.status_code == 302:
            self.get(location_path(response), "CRF page")  # the browser follows the redirect

    @task(1)
    def query_answer(self) -> None:
        if not self.work["queries"]:
            return
        query = random.choice(self.work["queries"])
        page = self.get(f"/queries/{query}/", "query page")
        if 'value="answer"' not in page.text:
            return  # answered by another coordinator meanwhile
        data = {"csrfmiddlewaretoken": csrf_token(page.text), "action": "answer", "text": "Checked against source."}
        response = self.post(f"/queries/{query}/", data, "query answer")
        if response.status_code == 302:
            self.get(location_path(response), "query page")


class Monitor(Visitor):
    fixed_count = int(os.environ.get("LOAD_MONITORS", "3"))

    def on_start(self) -> None:
        self.web = self.browser()
        self.enter(next(MONITORS), PASSWORD)

    @task(2)
    def monitoring_dashboard(self) -> None:
        self.get(f"/monitoring/study/{STUDY}/", "monitoring dashboard")

    @task(1)
    def query_list(self) -> None:
        self.get(f"/queries/studies/{STUDY}/", "query list")


class PrincipalInvestigator(Visitor):
    fixed_count = 1

    def on_start(self) -> None:
        self.web = self.browser()
        self.enter("loadpi", PASSWORD, totp_key=WORK.get("totp_key"))

    @task(3)
    def study_dashboard(self) -> None:
        self.get(f"/reports/study/{STUDY}/dashboard/", "study dashboard")

    @task(1)
    def consort(self) -> None:
        self.get(f"/reports/study/{STUDY}/consort/", "CONSORT")


class DataManager(Visitor):
    """One data export after another, as a data manager pulling the study for an interim analysis."""

    fixed_count = 1
    wait_time = constant(1)

    def on_start(self) -> None:
        self.web = self.browser()
        # The PI logs in with the same key: a TOTP code counts once per device, and each user has their own device.
        time.sleep(1)
        self.enter("loaddm", PASSWORD, totp_key=WORK.get("totp_key"))

    @task
    def export(self) -> None:
        page = self.get(f"/exports/{STUDY}/", "export builder")
        data = {"csrfmiddlewaretoken": csrf_token(page.text), "format": "csv_wide"}
        response = self.post(f"/exports/{STUDY}/", data, "export start")
        if response.status_code != 302:
            return
        job = location_path(response)
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            time.sleep(2)  # the page polls every 2 s (htmx)
            page = self.get(job, "export page")
            if 'id="export-download"' in page.text:
                with self.web.get(job + "download/", name="export download", catch_response=True, stream=True) as got:
                    size = sum(len(chunk) for chunk in got.iter_content(1 << 16))
                    _check(got, 200) if size else got.failure("empty file")
                return
            if 'data-status="failed"' in page.text or 'data-status="cancelled"' in page.text:
                self.environment.events.request.fire(
                    request_type="JOB",
                    name="export job",
                    response_time=0,
                    response_length=0,
                    exception=RuntimeError("the export job failed"),
                    context={},
                )
                return


class Health(Visitor):
    """The reference: the cheapest request the server answers (one SELECT 1), closed loop."""

    wait_time = constant(0)

    def on_start(self) -> None:
        self.web = self.browser()
        _logged_in(self.environment)

    @task
    def health(self) -> None:
        self.get("/health/", "health")


if HEALTH_ONLY:  # locust runs every non-abstract User class of the module
    Coordinator.abstract = Monitor.abstract = PrincipalInvestigator.abstract = DataManager.abstract = True
else:
    Health.abstract = True
