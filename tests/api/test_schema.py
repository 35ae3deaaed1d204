"""The OpenAPI schema of /api/v1/, its local documentation pages, and schemathesis calls drawn from it (with a
real user's token) that find no server error and no answer outside the schema."""

import html
import re

import pytest
import schemathesis
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings

from lbpb.wsgi import application

from .conftest import token_client

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_schema_and_its_pages_are_served_locally(client, alpha, make_persona):
    client.force_login(make_persona("pi"))
    schema = client.get("/api/v1/schema/?format=json").json()
    assert schema["openapi"].startswith("3.") and "/api/v1/participants/" in schema["paths"]
    assert not any(path.startswith("/instruments/") for path in schema["paths"])
    docs = client.get("/api/v1/docs/").content.decode()
    assert "swagger-ui" in docs and "https://" not in docs and "<script>" not in docs  # no CDN, no inline script
    script = re.search(r'<script src="([^"]+\?script=[^"]*)"', docs).group(1)
    assert "SwaggerUIBundle" in client.get(html.unescape(script)).content.decode()
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', docs):
        assert "sidecar" in asset


def test_every_operation_lists_its_error_statuses_with_one_error_body(client, alpha, make_persona):
    client.force_login(make_persona("pi"))
    schema = client.get("/api/v1/schema/?format=json").json()
    assert schema["components"]["schemas"]["Errors"]["required"] == ["errors"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            expected = {"400", "401", "403", "404", "429"} | (
                {"409", "423"} if method in ("post", "put", "patch") else set()
            )
            assert expected <= set(operation["responses"]), (method, path)
            assert "Retry-After" in operation["responses"]["429"]["headers"]


def _schema_and_key(client, alpha, make_persona, token_of, persona: str):
    user = make_persona(persona, all_sites=True)
    client.force_login(user)
    raw = client.get("/api/v1/schema/?format=json").json()
    key = token_of(user, alpha.study)
    assert token_client(key).get("/api/v1/studies/").status_code == 200
    return schemathesis.openapi.from_dict(raw), key


def test_schemathesis_reads_find_no_server_error_nor_schema_violation(client, alpha, make_persona, token_of):
    schema, key = _schema_and_key(client, alpha, make_persona, token_of, "pi")
    failures: list = []
    for operation in schema.get_all_operations():
        op = operation.ok()
        if op.method.upper() == "GET":
            _check(op, key, failures)
    assert failures == []


def test_schemathesis_writes_find_no_server_error_nor_schema_violation(client, alpha, make_persona, token_of):
    # A coordinator may enter data: hostile and schema-valid bodies reach response_submit, not only the access check.
    schema, key = _schema_and_key(client, alpha, make_persona, token_of, "coordinator")
    # Answers are free JSON checked against the form's definition and its plausibility checks, which a schema
    # cannot say (least pain above worst pain is schema-valid): a schema-valid body may rightly get a 400.
    schema.config.checks.positive_data_acceptance.expected_statuses.append("400")
    failures: list = []
    writes = [op.ok() for op in schema.get_all_operations() if op.ok().method.upper() in ("POST", "PUT", "PATCH")]
    assert writes  # the responses list and detail
    for op in writes:
        _check(op, key, failures)
    assert failures == []


def _check(op, key: str, failures: list) -> None:
    # derandomize: the same draws each run (CI must not flake); they change when the schema does.
    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True)
    @given(case=op.as_strategy())
    def check(case):
        cache.clear()  # the calls must not hit the token's rate limit
        case.headers = {**(case.headers or {}), "Authorization": f"Token {key}"}
        answer = case.call(app=application)
        if answer.status_code >= 500:
            failures.append((op.label, answer.status_code))
        # ignored_auth sees our real token replacing the auth it generated and takes it for an invalid one.
        case.validate_response(answer, excluded_checks=[schemathesis.checks.ignored_auth])

    check()
