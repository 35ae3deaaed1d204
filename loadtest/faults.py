"""python -m loadtest.faults pg-restart|worker-kill|redis-restart|disk-full|all [--participants 300]

Each fault runs against its own throw-away stack (``loadtest.stack``: PostgreSQL, Redis, gunicorn with DEBUG off
and a Celery worker, in a temporary folder on free ports; ``all`` shares one stack), prints its figures and
PASS/FAIL per check, and exits 1 when a check fails.

- pg-restart: coordinators keep saving CRFs through the real form while PostgreSQL is stopped for 8 s and started
  again. While it is down every page is the 503 maintenance page (no 500, no traceback); after it, saves succeed;
  no form is half saved (each response's values and version equal its latest revision's) and the audit trail
  matches the data (new audit events on responses = new revisions = the rise in lock versions).
- worker-kill: the worker is killed (SIGKILL) in the middle of a data export and in the middle of an MRI/PSG
  ingest; the next worker finishes each job once (acks_late + the visibility timeout): one export row done with
  one file, one stored data file per ingest job, no partial files left.
- redis-restart: exports are queued while no worker runs, Redis is restarted, then a worker starts. With the
  persistence production Redis must have (appendonly yes) every queued job runs once. The same with persistence
  off is reported beside it (lost jobs are not re-queued: there is no re-queue sweep for data exports).
- disk-full: MEDIA_ROOT on a 2 MB tmpfs (a file-size limit when mounting is not allowed) filled to the brim; a data
  export fails visibly (status failed, the error on its page) with no partial file, and an upload answers an
  error page, not a server crash.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
import requests

from .browser import Browser, crf_fields, csrf_token, editable_forms, location_path
from .stack import PASSWORD, Stack


@dataclass
class Checks:
    name: str
    results: list[tuple[str, bool]] = field(default_factory=list)

    def check(self, text: str, ok: bool) -> None:
        self.results.append((text, ok))
        print(f"{'PASS' if ok else 'FAIL'}  {self.name}: {text}", flush=True)

    @property
    def ok(self) -> bool:
        return all(ok for _text, ok in self.results)


def stack_build(participants: int) -> Stack:
    stack = Stack(web_workers=2, redis_persistent=True)
    stack.build(participants=participants, coordinators=4, monitors=1)
    print(f"stack ready: {stack.base_url} ({stack.folder})", flush=True)
    return stack


def sql(stack: Stack, query: str, *params) -> list[tuple]:
    connection = psycopg2.connect(stack.database_url, connect_timeout=5)
    try:
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall()
    finally:
        connection.close()


def scalar(stack: Stack, query: str, *params):
    return sql(stack, query, *params)[0][0]


def browser(stack: Stack, username: str, *, totp: bool = False) -> Browser:
    web = Browser(requests.Session(), stack.base_url)
    web.log_in(username, PASSWORD, totp_key="3132333435363738393031323334353637383930" if totp else None)
    return web


# --- PostgreSQL restarted under load --------------------------------------------------------------------------


AUDIT_COUNTS = """
SELECT (SELECT coalesce(sum(lock_version), 0) FROM instruments_response),
       (SELECT count(*) FROM instruments_responserevision),
       (SELECT count(*) FROM audit_auditevent WHERE object_type = 'instruments.response')
"""
HALF_SAVED = """
SELECT count(*) FROM instruments_response r
JOIN LATERAL (SELECT * FROM instruments_responserevision v WHERE v.response_id = r.id
              ORDER BY v.lock_version DESC LIMIT 1) last ON true
WHERE r.lock_version <> last.lock_version OR r.values <> last.values OR r.status <> last.status
"""


class Saver(threading.Thread):
    """One coordinator saving CRFs in a loop (no think time), recording what each request answered."""

    def __init__(self, stack: Stack, username: str, participants: list[int], stop: threading.Event, *, start: int):
        super().__init__(daemon=True)
        self.stack, self.username, self.participants, self.stop = stack, username, participants, stop
        self.start_at = start  # coordinators of one site start apart: two on one form would be an edit conflict
        self.outcomes: list[tuple[float, str, int, bool]] = []  # (time, kind, status, maintenance page)
        self.saved = 0

    def record(self, kind: str, response) -> None:
        self.outcomes.append((time.monotonic(), kind, response.status_code, 'id="maintenance"' in response.text))

    def run(self) -> None:
        web = browser(self.stack, self.username)
        number = self.start_at
        while not self.stop.is_set():
            number += 1
            try:
                self.one(web, self.participants[number % len(self.participants)])
            except requests.RequestException as problem:
                self.outcomes.append((time.monotonic(), f"connection: {problem.__class__.__name__}", 0, False))
                time.sleep(0.5)

    def one(self, web: Browser, participant: int) -> None:
        page = web.get(f"/participants/{participant}/")
        self.record("participant page", page)
        if page.status_code != 200:
            time.sleep(0.5)
            return
        chips = editable_forms(page.text)
        if not chips:
            return
        href = chips[participant % len(chips)]
        form = web.get(href)
        self.record("CRF page", form)
        if form.status_code != 200:
            return
        saved = web.post(href, crf_fields(form.text))
        self.record("CRF save", saved)
        self.saved += saved.status_code == 302


def pg_restart(stack: Stack, checks: Checks, *, down_seconds: float = 8) -> None:
    import json

    work = json.loads(stack.worklist)
    before = sql(stack, AUDIT_COUNTS)[0]
    stop = threading.Event()
    savers = [
        Saver(stack, entry.split(":")[0], work["sites"][entry.split(":")[1]]["participants"], stop, start=index * 50)
        for index, entry in enumerate(work["users"]["coordinator"])
    ]
    for saver in savers:
        saver.start()
    time.sleep(10)
    down_at = time.monotonic()
    stack.postgres_stop("fast")
    time.sleep(down_seconds)
    stack.postgres_start()
    up_at = time.monotonic()
    time.sleep(15)
    stop.set()
    for saver in savers:
        saver.join(60)
    outcomes = [outcome for saver in savers for outcome in saver.outcomes]
    pg_restart_verdicts(stack, checks, outcomes, before, sum(s.saved for s in savers), down_at, up_at)


def pg_restart_verdicts(stack, checks, outcomes, before, saved, down_at, up_at) -> None:
    during = [o for o in outcomes if down_at + 0.5 < o[0] < up_at]
    after = [o for o in outcomes if o[0] > up_at + 3]
    statuses = Counter(o[2] for o in outcomes)
    print(f"requests: {len(outcomes)} ({dict(statuses)}); while down: {len(during)}; CRF saves that succeeded: {saved}")
    refused = [o for o in during if o[2] == 503 and o[3]]
    checks.check(
        f"while down, every answer is the 503 maintenance page ({len(refused)} of {len(during)})",
        bool(during) and len(refused) == len(during),
    )
    crashes = [o for o in outcomes if o[2] >= 500 and not (o[2] == 503 and o[3])] + [o for o in outcomes if o[2] == 0]
    checks.check(f"no server error or dropped connection at any time ({len(crashes)})", not crashes)
    failed_after = [o for o in after if o[2] not in (200, 302)]
    saves_after = sum(1 for o in after if o[1] == "CRF save" and o[2] == 302)
    checks.check(
        f"after the restart every request succeeds ({len(after) - len(failed_after)} of {len(after)}), "
        f"{saves_after} CRF saves",
        bool(after) and not failed_after and saves_after > 0,
    )
    versions, revisions, events = (now - then for now, then in zip(sql(stack, AUDIT_COUNTS)[0], before, strict=True))
    checks.check(
        f"audit trail matches the data: +{events} audit events, +{revisions} revisions, +{versions} versions, "
        f"{saved} saves answered",
        events == revisions == versions and revisions >= saved,
    )
    half = scalar(stack, HALF_SAVED)
    checks.check(f"no half-saved form (responses differing from their latest revision: {half})", half == 0)


# --- A Celery worker killed mid-export and mid-ingest ---------------------------------------------------------


def export_request(web: Browser, export_format: str = "csv_long") -> int:
    page = web.get("/exports/lbpb/")
    response = web.post("/exports/lbpb/", {"csrfmiddlewaretoken": csrf_token(page.text), "format": export_format})
    if response.status_code != 302:
        raise RuntimeError(f"the export was not started: HTTP {response.status_code}")
    return int(re.search(r"/job/(\d+)/", location_path(response)).group(1))


def wait_for(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise TimeoutError(f"timed out after {seconds:.0f} s waiting for {what}")


def export_status(stack: Stack, export_id: int) -> str:
    return scalar(stack, "SELECT status FROM exports_dataexport WHERE id = %s", export_id)


def export_files(stack: Stack) -> list[Path]:
    return sorted((Path(stack.env()["DJANGO_MEDIA_ROOT"]) / "exports").rglob("export-*"))


def worker_kill(stack: Stack, checks: Checks) -> None:
    web = browser(stack, "loaddm", totp=True)
    export_id = export_request(web)
    wait_for(lambda: export_status(stack, export_id) == "running", 300, "the export to start")
    time.sleep(1.0)
    stack.kill("worker")
    killed_status = export_status(stack, export_id)
    print(f"export {export_id}: worker killed while it was {killed_status}")
    stack.worker_start()
    started = time.monotonic()
    final = wait_for(
        lambda: (s := export_status(stack, export_id)) in ("done", "failed", "cancelled") and s,
        600,
        "the export to finish",
    )
    print(f"export {export_id}: {final} {time.monotonic() - started:.1f} s after the new worker started")
    files = [p for p in export_files(stack) if f"export-{export_id}." in p.name]
    page = web.get(f"/exports/job/{export_id}/")
    checks.check(
        f"the killed export was running ({killed_status}) and finished once: {final}",
        killed_status == "running" and final in ("done", "failed"),
    )
    checks.check(
        f"one file for it, no partial file left ({[p.name for p in files]})",
        (len(files) == 1 and final == "done") or (not files and final == "failed"),
    )
    checks.check("its page shows the outcome", f'data-status="{final}"' in page.text)
    ingest_kill(stack, checks)


INGEST_JOB = "SELECT status, steps_done, log FROM imaging_ingestjob ORDER BY id DESC LIMIT 1"


def ingest_kill(stack: Stack, checks: Checks) -> None:
    psg = stack.folder / "night.edf"
    stack.python(
        "from pathlib import Path; from tests.imaging.synthetic import write_long_psg; "
        "write_long_psg(Path(sys.argv[1]), hours=2)",
        str(psg),
    )
    participant, visit = sql(
        stack,
        "SELECT p.identifier, v.visit_code FROM participants_participant p "
        "JOIN participants_visit v ON v.participant_id = p.id "
        "WHERE p.identifier <> '' AND v.completed_on IS NOT NULL ORDER BY p.id LIMIT 1",
    )[0]
    files_before = scalar(stack, "SELECT count(*) FROM imaging_datafile")  # the generated study's acquisitions
    stack._end("worker")  # the job waits queued until the watched worker starts (manage.py may return after it ran)
    stack.manage(
        "ingest", str(psg), "--study", "lbpb", "--user", "loaddm", "--participant", participant, "--visit", visit
    )
    stack.worker_start()
    wait_for(lambda: (row := sql(stack, INGEST_JOB)) and row[0][1][-1:] == ["store"], 300, "the store step")
    time.sleep(0.5)  # inside derive (HRV over 2 hours of ECG takes seconds)
    stack.kill("worker")
    killed_status, steps, _log = sql(stack, INGEST_JOB)[0]
    print(f"ingest: worker killed during the step after {steps[-1]!r} ({killed_status})")
    stack.worker_start()
    wait_for(lambda: sql(stack, INGEST_JOB)[0][0] in ("succeeded", "failed", "duplicate"), 600, "the ingest to finish")
    status, steps_after, log = sql(stack, INGEST_JOB)[0]
    files = scalar(stack, "SELECT count(*) FROM imaging_datafile") - files_before
    sha = scalar(
        stack,
        "SELECT d.sha256 FROM imaging_datafile d JOIN imaging_ingestjob j ON j.data_file_id = d.id "
        "ORDER BY j.id DESC LIMIT 1",
    )
    stored = [
        p for p in (Path(stack.env()["DJANGO_MEDIA_ROOT"]) / "imaging").rglob("*") if p.is_file() and sha in p.parts
    ]
    checks.check(
        f"the killed ingest was mid-job ({killed_status} after {steps[-1]}) and finished: {status}",
        killed_status == "running" and status == "succeeded" and steps_after[-1:] == ["finish"],
    )
    checks.check(
        f"each step once ({len(steps_after)} steps, {len(set(steps_after))} distinct), one new data file row "
        f"({files}) and one stored file ({len(stored)})",
        len(steps_after) == len(set(steps_after)) and files == 1 and len(stored) == 1 and log.count("Done.") == 1,
    )


# --- Redis restarted with jobs queued -------------------------------------------------------------------------


def exports_after_redis_restart(stack: Stack, web: Browser, *, count: int, persistent: bool) -> list[str]:
    """Queue ``count`` exports with no worker running, restart Redis, start a worker; the exports' statuses then."""
    stack._end("worker")
    ids = [export_request(web, "csv_participant") for _ in range(count)]
    stack.redis_stop()
    stack.redis_persistent = persistent
    stack.redis_start()
    stack.worker_start()

    def finished():
        statuses = [export_status(stack, export_id) for export_id in ids]
        return statuses if all(s in ("done", "failed") for s in statuses) else None

    try:
        return wait_for(finished, 240 if persistent else 45, "the queued exports")
    except TimeoutError:
        return [export_status(stack, export_id) for export_id in ids]


def redis_restart(stack: Stack, checks: Checks) -> None:
    web = browser(stack, "loaddm", totp=True)
    files_before = len(export_files(stack))
    statuses = exports_after_redis_restart(stack, web, count=3, persistent=True)
    files = len(export_files(stack)) - files_before
    checks.check(
        f"with appendonly yes, 3 exports queued across the restart all ran: {statuses}", statuses == ["done"] * 3
    )
    checks.check(f"each once: {files} new files for 3 exports", files == 3)
    lost = exports_after_redis_restart(stack, web, count=2, persistent=False)
    print(
        f"for comparison, with persistence off (--save '' --appendonly no) 2 queued exports end as {lost}: "
        f"{lost.count('queued')} lost (no sweep re-queues a data export)",
        flush=True,
    )
    stack.redis_stop()
    stack.redis_persistent = True
    stack.redis_start()


# --- A full media disk ----------------------------------------------------------------------------------------


def full_disk(folder: Path) -> bool:
    """A 2 MB tmpfs at ``folder``, filled up; False when mounting is not allowed here."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode:
        print(f"cannot mount a tmpfs ({mounted.stderr.decode().strip()})")
        return False
    try:
        with (folder / "filler").open("wb") as filler:
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
    except OSError:
        pass
    return True


def disk_full(stack: Stack, checks: Checks) -> None:
    media = stack.folder / "full-media"
    if not full_disk(media):
        checks.check("a full disk could be made (tmpfs mount)", False)
        return
    try:
        restart_with_media(stack, media)
        disk_full_checks(stack, checks, media)
    finally:
        restart_with_media(stack, None)
        subprocess.run(["umount", str(media)], check=False)


def restart_with_media(stack: Stack, media: Path | None) -> None:
    stack._end("gunicorn")
    stack._end("worker")
    stack.media_root = media
    stack.web_start()
    stack.worker_start()


def disk_full_checks(stack: Stack, checks: Checks, media: Path) -> None:
    web = browser(stack, "loaddm", totp=True)
    export_id = export_request(web, "csv_long")
    final = wait_for(lambda: (s := export_status(stack, export_id)) in ("done", "failed") and s, 300, "the export")
    error = scalar(stack, "SELECT error FROM exports_dataexport WHERE id = %s", export_id)
    page = web.get(f"/exports/job/{export_id}/")
    leftovers = [p.name for p in media.rglob("*") if p.is_file() and p.name != "filler"]
    checks.check(f"the export failed visibly: {final}, {error[:80]!r}", final == "failed" and "space" in error.lower())
    checks.check("its page shows the error", 'id="export-error"' in page.text and page.status_code == 200)
    upload = upload_psg(stack, web)
    checks.check(
        f"an upload answers the storage-full page, not a crash: HTTP {upload.status_code}",
        upload.status_code == 507 and 'id="storage-full"' in upload.text,
    )
    leftovers = [p.name for p in media.rglob("*") if p.is_file() and p.name != "filler"]
    checks.check(f"nothing half written is left in MEDIA_ROOT ({leftovers})", not leftovers)


def upload_psg(stack: Stack, web: Browser):
    page = web.get("/imaging/lbpb/upload/")
    data = {"csrfmiddlewaretoken": csrf_token(page.text), "kind": ""}
    participant, visit = sql(
        stack,
        "SELECT p.id, v.id FROM participants_participant p JOIN participants_visit v ON v.participant_id = p.id "
        "WHERE p.identifier <> '' AND v.completed_on IS NOT NULL ORDER BY p.id LIMIT 1",
    )[0]
    data.update(participant=str(participant), visit=str(visit))
    content = b"0" * (3 << 20)  # larger than the whole 2 MB disk
    return web.post("/imaging/lbpb/upload/", data, files={"files": ("night.edf", content)})


FAULTS = {"pg-restart": pg_restart, "worker-kill": worker_kill, "redis-restart": redis_restart, "disk-full": disk_full}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m loadtest.faults", description=__doc__.split("\n\n")[0])
    parser.add_argument("fault", choices=[*FAULTS, "all"])
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--keep", action="store_true", help="leave the stack's folder (logs) behind")
    args = parser.parse_args(argv)
    names = list(FAULTS) if args.fault == "all" else [args.fault]
    stack = stack_build(args.participants)
    verdicts = []
    try:
        for name in names:
            checks = Checks(name)
            print(f"\n## {name}", flush=True)
            started = time.monotonic()
            try:
                FAULTS[name](stack, checks)
            except Exception as problem:  # noqa: BLE001 - a fault test that breaks is a failed fault test
                checks.check(f"ran to the end ({problem.__class__.__name__}: {problem})", False)
            print(f"{name}: {time.monotonic() - started:.0f} s", flush=True)
            verdicts.append(checks)
    finally:
        stack.stop(keep=args.keep)
    print("\n## summary")
    for checks in verdicts:
        print(f"{'PASS' if checks.ok else 'FAIL'}  {checks.name}")
    return 0 if all(checks.ok for checks in verdicts) else 1


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]  # progress shows as it happens
    sys.exit(main(sys.argv[1:]))
