"""Shared steps of the headless-browser tests (Playwright on Debian's chromium; see the ``page`` fixture)."""

from tests.factories import PASSWORD


def log_in(page, live_server, username: str, password: str = PASSWORD, *, wait: bool = True) -> None:
    """Sign in through the real login form; ``wait`` waits for the home page's greeting."""
    page.goto(f"{live_server.url}/account/login/")
    page.fill("input[name='auth-username']", username)
    page.fill("input[name='auth-password']", password)
    page.click("button[type='submit'].btn-primary")
    if wait:
        page.wait_for_selector("text=Welcome")
