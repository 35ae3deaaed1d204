"""Content-Security-Policy on pages, no inline handlers in templates, and no-store on personal pages and downloads."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]


def _templates():
    for folder in [ROOT / "templates", *ROOT.glob("*/templates")]:
        if "node_modules" in folder.parts or ".venv" in folder.parts:
            continue
        yield from folder.rglob("*.html")


def test_no_template_has_an_inline_handler_style_or_script():
    offenders = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        if re.search(r"\son[a-z]+\s*=", text) or re.search(r"\sstyle\s*=", text):
            offenders.append(str(path.relative_to(ROOT)))
        for script in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in script:
                offenders.append(f"{path.relative_to(ROOT)}: {script}")
    assert offenders == []


@pytest.mark.django_db
def test_pages_carry_the_policy_and_signed_in_pages_are_not_stored(client):
    login = client.get(reverse("two_factor:login"))
    policy = login["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
    client.force_login(UserFactory())
    home = client.get(reverse("home"))
    assert home.status_code == 200 and "no-store" in home["Cache-Control"]
    assert "Content-Security-Policy" in home


@pytest.mark.django_db
def test_every_download_is_not_stored(client):
    client.force_login(UserFactory())
    download = client.get(reverse("instruments:instrument-datadictionary", args=["phq9", "1.0"]))
    assert download["Content-Disposition"].startswith("attachment")
    assert "no-store" in download["Cache-Control"]
