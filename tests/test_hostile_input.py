"""Hostile input to every write endpoint: never a server error, never a stored value outside its definition.

The endpoints come from the URL resolver, as in the persona matrix: every URL whose gate (tests/
test_access_matrix.py GATES) names an action for a POST, plus the responses API. For each one a persona
whose role holds that action opens the page, reads the names of the fields its forms offer, and posts
values that hypothesis draws from a hostile set into every field at once: NUL and control characters,
integers of thousands of digits, 1e308 and NaN, years 1 and 9999, very long text, right-to-left overrides,
CRLF, and for files and JSON bodies the same plus deep nesting. Every answer must be below 500.

After the run every stored row is checked against what the product allows: no text with NUL or other
control characters, no date before 1900 or more than INPUT_MAX_FUTURE_YEARS ahead, and every stored
response still passes its instrument definition's own cleaning. The suite runs on PostgreSQL in CI.
"""

from __future__ import annotations

import datetime
import json
import random
import re

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.capabilities import CAPABILITIES
from instruments.definitions import clean_responses
from instruments.models import Response
from instruments.registry import get_instrument
from tests.conftest import ALL_ROLES
from tests.test_access_matrix import GATES, QUERY, _url, project_urls

HOSTILE_TEXT = [
    "\x00",
    "a\x00b",
    "\x01\x02\x1b[31m",
    "9" * 5000,
    "-" + "9" * 400,
    "1e308",
    "-1e308",
    "nan",
    "inf",
    "0001-01-01",
    "9999-12-31",
    "99999-01-01",
    "2026-02-30",
    "x" * 200_000,
    "\u202e\u2066evil",
    "line\r\nSet-Cookie: x=y",
    '=HYPERLINK("http://x")',
    "<script>alert(1)</script>",
    "'; DROP TABLE participants_participant; --",
    str(2**31),
    str(2**63),
    "-1",
    "",
    "😀" * 1000,
]
DEEP = "[" * 5000 + "]" * 5000
OWN_FIELDS = {"csrfmiddlewaretoken"}
FIELD_NAME = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"', re.I)
FILE_FIELD = re.compile(
    r'<input\b[^>]*\btype="file"[^>]*\bname="([^"]+)"|<input\b[^>]*\bname="([^"]+)"[^>]*\btype="file"', re.I
)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _role_for(needed) -> str | None:
    wanted = needed if isinstance(needed, tuple) else (needed,)
    return next((role for role in ALL_ROLES if any(a in CAPABILITIES[role] for a in wanted)), None)


def write_endpoints() -> list[tuple[str, tuple[str, ...], str]]:
    """(URL name, kwarg names, role) for every URL whose POST needs an action, and a role holding it."""
    found = []
    for name, kwargs in project_urls():
        gate = GATES[name]
        if gate.post is None:
            continue
        role = _role_for(gate.post)
        if role is not None:
            found.append((name, kwargs, role))
    return found


def _fields(html: str) -> tuple[list[str], list[str]]:
    files = {a or b for a, b in FILE_FIELD.findall(html)}
    names = [n for n in dict.fromkeys(FIELD_NAME.findall(html)) if n not in OWN_FIELDS and n not in files]
    return names, sorted(files)


def _post_hostile(client, url: str, html: str, pick: random.Random) -> int:
    names, files = _fields(html)
    data: dict = {name: pick.choice(HOSTILE_TEXT) for name in names}
    for name in files:
        content = pick.choice([b"\x00" * 64, b"PK\x03\x04" + b"\xff" * 64, DEEP.encode(), b""])
        data[name] = SimpleUploadedFile(pick.choice(["a\r\nb.csv", "x\x00.dcm", "ok.zip"]), content)
    return client.post(url, data).status_code


def _api_body(pick: random.Random) -> dict:
    value = pick.choice(HOSTILE_TEXT)
    return pick.choice(
        [
            {"answers": {"phq9_1": value}, "complete": value, "lock_version": value},
            {"answers": json.loads("[" * 30 + "]" * 30), "instance": 2**70},
            {"answers": {value[:100]: value}, "instance": value, "visit_code": value, "activity_key": value},
            {"participant": 2**64, "visit_code": "\x00", "activity_key": "x", "answers": {}},
        ]
    )


def _check_stored_rows() -> list[str]:
    """Every stored value the product would not have accepted, as 'model.field: value' lines."""
    latest = timezone.localdate() + datetime.timedelta(days=366 * django_settings.INPUT_MAX_FUTURE_YEARS)
    bad = []
    for model in apps.get_models():
        if model._meta.app_label in {"admin", "auth", "contenttypes", "sessions", "axes", "otp_static", "otp_totp"}:
            continue
        text = [f for f in model._meta.concrete_fields if isinstance(f, models.CharField | models.TextField)]
        dates = [f for f in model._meta.concrete_fields if type(f) is models.DateField]
        for row in model.objects.all().only("pk", *[f.name for f in text + dates]):
            for f in text:
                value = getattr(row, f.name) or ""
                if CONTROL.search(value):
                    bad.append(f"{model._meta.label}.{f.name}: {value[:40]!r}")
            for f in dates:
                value = getattr(row, f.name)
                if value is not None and not (datetime.date(1900, 1, 1) <= value <= latest):
                    bad.append(f"{model._meta.label}.{f.name}: {value}")
    for response in Response.objects.all():
        instrument = get_instrument(response.instrument_code, response.definition_version)
        cleaned = clean_responses(instrument, response.values, complete=False)
        if not cleaned.ok:
            bad.append(f"response {response.pk}: {dict(cleaned.errors)}")
    return bad


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(seed=st.integers(min_value=0, max_value=2**32))
def test_hostile_values_on_every_write_endpoint_give_no_server_error_and_store_nothing_forbidden(
    client, world, make_persona, seed
):
    # One draw per example: the pages' fields change as earlier examples change the world, so the values
    # come from a generator seeded by hypothesis rather than from draws that would differ on replay.
    pick = random.Random(seed)
    endpoints = write_endpoints()
    assert len(endpoints) >= 20, endpoints  # the resolver walk found the product's forms
    # The database lives across examples (one test transaction): make each persona once.
    personas = world.__dict__.setdefault("hostile_personas", {})
    for role in {role for _n, _k, role in endpoints} | {"coordinator"}:
        if role not in personas:
            personas[role] = make_persona(role)
    errors = []
    for name, kwargs, role in endpoints:
        client.force_login(personas[role])
        url = _url(world, name, kwargs)
        page = client.get(url, QUERY[name](world) if name in QUERY else None)
        html = page.content.decode(errors="replace") if page.status_code == 200 and not page.streaming else ""
        status = _post_hostile(client, url, html, pick)
        if status >= 500:
            errors.append((name, status))
    client.force_login(personas["coordinator"])
    api = _url(world, "workflows:api-response-list", ())
    for method in ("post", "put", "patch"):
        target = api if method == "post" else api + "1/"
        body = json.dumps(_api_body(pick))
        status = getattr(client, method)(target, body, content_type="application/json").status_code
        if status >= 500:
            errors.append((f"api {method}", status))
    deep = client.post(api, DEEP, content_type="application/json").status_code
    if deep >= 500:
        errors.append(("api deep json", deep))
    assert errors == []
    assert _check_stored_rows() == []
