"""Shared steps of the headless-browser tests (Playwright on Debian's chromium; see the ``page`` fixture)."""

import os
from pathlib import Path

import pytest

from tests.conftest import services_required
from tests.factories import PASSWORD

REPO = Path(__file__).resolve().parents[1]


def log_in(page, live_server, username: str, password: str = PASSWORD, *, wait: bool = True) -> None:
    """Sign in through the real login form; ``wait`` waits for the home page's greeting."""
    page.goto(f"{live_server.url}/account/login/")
    page.fill("input[name='auth-username']", username)
    page.fill("input[name='auth-password']", password)
    page.click("button[type='submit'].btn-primary")
    if wait:
        page.wait_for_selector("text=Welcome")


def axe_path() -> Path | None:
    """axe-core from the product's node_modules (package.json), or AXE_CORE_PATH."""
    for candidate in (os.environ.get("AXE_CORE_PATH"), REPO / "node_modules" / "axe-core" / "axe.min.js"):
        if candidate and Path(candidate).exists():
            return Path(candidate)
    return None


def serious_violations(page) -> list:
    """axe-core's serious and critical violations on the page as it stands (the context needs bypass_csp=True,
    only so that the test can inject axe's file; the pages themselves run under the CSP)."""
    path = axe_path()
    if path is None:
        if services_required():
            pytest.fail("axe-core is missing: npm install (package.json)")
        pytest.skip("axe-core not installed (npm install)")
    page.add_script_tag(path=str(path))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
