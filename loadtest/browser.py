"""A browser's part of each request, over plain HTTP to gunicorn on loopback behind a pretend TLS proxy.

With DEBUG off the session and CSRF cookies are ``Secure`` and the server answers only its allowed host, so every
request carries ``Host`` and ``X-Forwarded-Proto: https`` (DJANGO_BEHIND_PROXY=1) and the cookies are kept by hand:
a cookie jar would send neither a Secure cookie over http nor one set for another host than the URL's. POSTs carry
the form's CSRF token and the Origin and Referer a browser sends. ``session`` is a ``requests.Session`` or locust's
``HttpSession`` (same interface, plus ``name`` and ``catch_response``). Nothing here imports Django.
"""

from __future__ import annotations

import html
import random
import re
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

from .stack import HOST

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
INPUT = re.compile(r"<(input|textarea|select)\b([^>]*)>", re.S)
ATTRIBUTE = re.compile(r'([\w-]+)(?:="([^"]*)")?')
OPTION = re.compile(r'<option\b[^>]*value="([^"]*)"[^>]*>', re.S)
# A form chip of the participant page: its instrument, its status and the CRF's address.
CHIP = re.compile(
    r'data-activity="([\w-]+)" data-status="(\w+)"[^>]*>\s*<a[^>]*href="(/instruments/participant/[^"]+)"'
)
# Forms whose items are all single choices with no branching: a changed answer is always a valid save.
EDITABLE = ("phq9", "gad7", "odi", "isi", "pcs")
REASON = "Corrected on source document review"


class Browser:
    def __init__(self, session, base: str, *, named: bool = False):
        self.session = session
        self.named = named  # locust's HttpSession takes a statistics ``name``; requests' Session does not
        self.base = base
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, *, name: str | None = None, **kwargs):
        headers = {"Host": HOST, "X-Forwarded-Proto": "https", **kwargs.pop("headers", {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{key}={value}" for key, value in self.cookies.items())
        if method == "POST":
            headers.update(Origin=f"https://{HOST}", Referer=f"https://{HOST}{path}")
        if name is not None and self.named:
            kwargs["name"] = name  # locust groups the statistics by this name
        response = self.session.request(
            method, self.base + path, headers=headers, allow_redirects=False, timeout=60, **kwargs
        )
        self._keep_cookies(response)
        return response

    def _keep_cookies(self, response) -> None:
        raw = getattr(response, "raw", None)
        lines = raw.headers.getlist("Set-Cookie") if raw is not None and hasattr(raw, "headers") else []
        for line in lines:
            for key, morsel in SimpleCookie(line).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = morsel.value

    def get(self, path: str, *, name: str | None = None, **kwargs):
        return self.request("GET", path, name=name, **kwargs)

    def post(self, path: str, data, *, name: str | None = None, **kwargs):
        return self.request("POST", path, name=name, data=data, **kwargs)

    def log_in(self, username: str, password: str, *, totp_key: str | None = None) -> None:
        """The log-in page's two steps (password, then the TOTP token for a role that needs it)."""
        page = self.get("/account/login/", name="log-in")
        data = {
            "csrfmiddlewaretoken": csrf_token(page.text),
            "login_view-current_step": "auth",
            "auth-username": username,
            "auth-password": password,
        }
        response = self.post("/account/login/", data, name="log-in")
        if response.status_code == 200 and totp_key:
            from .totp import totp_now

            data = {
                "csrfmiddlewaretoken": csrf_token(response.text),
                "login_view-current_step": "token",
                "token-otp_token": totp_now(totp_key),
            }
            response = self.post("/account/login/", data, name="log-in")
        if response.status_code != 302:
            raise RuntimeError(f"{username}: log-in answered {response.status_code}")


def csrf_token(page: str) -> str:
    match = CSRF.search(page)
    if match is None:
        raise ValueError("no CSRF token in the page")
    return match.group(1)


def location_path(response) -> str:
    location = urlsplit(response.headers.get("Location", ""))
    return location.path + (f"?{location.query}" if location.query else "")


def form_fields(page: str, form_id: str | None = None) -> dict[str, list[str]]:
    """The values a browser would submit from the page's (first, or ``form_id``'s) POST form: text, hidden, checked
    radio and checkbox inputs, textareas and selected options. Good enough for the product's own forms."""
    start = page.find(f'id="{form_id}"') if form_id else page.find('method="post"')
    body = page[start : page.find("</form>", start)] if start >= 0 else page
    fields: dict[str, list[str]] = {}
    for tag, attributes_text in INPUT.findall(body):
        attributes = {key: html.unescape(value or "") for key, value in ATTRIBUTE.findall(attributes_text)}
        name = attributes.get("name")
        if not name or "disabled" in attributes:
            continue
        kind = attributes.get("type", "text")
        if tag == "input" and kind in ("radio", "checkbox") and "checked" not in attributes:
            fields.setdefault(name, [])
            continue
        if tag == "input" and kind in ("submit", "button", "file"):
            continue
        if tag == "textarea":
            closing = body.find("</textarea>", body.find(attributes_text))
            value = html.unescape(body[body.find(">", body.find(attributes_text)) + 1 : closing])
        elif tag == "select":
            value = _selected(body, attributes_text)
        else:
            value = attributes.get("value", "")
        fields.setdefault(name, []).append(value)
    return fields


def _selected(body: str, attributes_text: str) -> str:
    start = body.find(attributes_text)
    options = body[start : body.find("</select>", start)]
    chosen = re.search(r'<option\b[^>]*value="([^"]*)"[^>]*\bselected\b', options)
    if chosen:
        return html.unescape(chosen.group(1))
    first = OPTION.search(options)
    return html.unescape(first.group(1)) if first else ""


def radio_choices(page: str) -> dict[str, list[str]]:
    """Each radio group of the page's form: its name and the values it offers."""
    groups: dict[str, list[str]] = {}
    for tag, attributes_text in INPUT.findall(page):
        attributes = {key: html.unescape(value or "") for key, value in ATTRIBUTE.findall(attributes_text)}
        if tag == "input" and attributes.get("type") == "radio" and attributes.get("name"):
            groups.setdefault(attributes["name"], []).append(attributes.get("value", ""))
    return groups


def editable_forms(participant_page: str) -> list[str]:
    """The addresses of the participant page's complete forms of an EDITABLE instrument."""
    chips = CHIP.findall(participant_page)
    return [href for activity, status, href in chips if activity in EDITABLE and status == "complete"]


def crf_fields(page: str) -> dict[str, list[str]]:
    """What a coordinator submits from a CRF page: one answer changed, saved complete with a reason."""
    crf = page[page.find('id="crf-form"') :]
    fields, choices = form_fields(page, "crf-form"), radio_choices(crf)
    answered = [name for name in choices if fields.get(name)]
    if answered:
        name = random.choice(answered)
        fields[name] = [random.choice([v for v in choices[name] if v not in fields[name]] or choices[name])]
    fields.update(action=["complete"], reason=[REASON])
    return fields
