"""Hostile input on the biobank's write endpoints (the whole-product run is tests/test_hostile_input.py; this one
runs only the biobank's, so it is quick to run while working on the app)."""

import random

import pytest

from tests.test_access_matrix import QUERY, _url
from tests.test_hostile_input import _check_stored_rows, _post_hostile, write_endpoints


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_hostile_values_on_the_biobank_forms_give_no_server_error(client, world, make_persona, seed):
    pick = random.Random(seed)
    endpoints = [e for e in write_endpoints() if e[0].startswith("biobank:")]
    assert len(endpoints) >= 10
    personas = {role: make_persona(role) for role in {role for _n, _k, role in endpoints}}
    errors = []
    for name, kwargs, role in endpoints:
        client.force_login(personas[role])
        url = _url(world, name, kwargs)
        page = client.get(url, QUERY[name](world) if name in QUERY else None)
        html = page.content.decode(errors="replace") if page.status_code == 200 and not page.streaming else ""
        status = _post_hostile(client, url, html, pick)
        if status >= 500:
            errors.append((name, status))
    assert errors == []
    assert _check_stored_rows() == []
