"""The blinding matrix for the study dashboard, the outcomes page and every CSV behind them: a blinded role with the
dashboard (data manager, PI, monitor) gets no arm in any page or table, and ``?arm=`` is ignored; the unblinded
statistician's pages show the arms, so the check would catch a leak."""

import pytest
from django.urls import reverse

from tests import test_blinding_matrix
from tests.test_blinding_matrix import ARM_STRINGS

blind_world = test_blinding_matrix.blind_world  # the double-blind study alpha with two allocated participants

DASHBOARD_ROLES = ["data_manager", "pi", "monitor"]


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode("utf-8", errors="replace")


def _leaks(text: str) -> list[str]:
    return [arm for arm in ARM_STRINGS if arm in text]


def _every_download(client, study, params):
    dashboard = client.get(reverse("reports:study-dashboard", args=[study.code]), params)
    yield "dashboard", dashboard
    for table in dashboard.context["board"].tables:
        yield (
            table.key,
            client.get(reverse("reports:study-dashboard-csv", args=[study.code]), {"table": table.key, **params}),
        )
    yield "outcomes", client.get(reverse("reports:study-outcomes", args=[study.code]), params)
    yield "outcomes.csv", client.get(reverse("reports:study-outcomes-csv", args=[study.code]), params)


@pytest.mark.django_db
@pytest.mark.parametrize("role", DASHBOARD_ROLES)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_no_dashboard_table_or_csv_shows_an_arm_to_a_blinded_role(client, blind_world, make_persona, role, language):
    client.force_login(make_persona(role, all_sites=True))
    client.cookies["django_language"] = language
    for params in ({}, {"arm": "arm_zeta"}):
        for name, response in _every_download(client, blind_world.study, params):
            assert response.status_code == 200, (name, response.status_code)
            text = _text(response)
            if params:  # the page's language switcher repeats the requested URL (the user's own ?arm=): skip it
                text = text.split("<main", 1)[-1]
            assert not _leaks(text), (role, name, params)


@pytest.mark.django_db
def test_a_blinded_roles_arm_filter_is_ignored(client, blind_world, make_persona):
    client.force_login(make_persona("data_manager", all_sites=True))
    url = reverse("reports:study-dashboard", args=[blind_world.study.code])
    funnel = client.get(url, {"arm": "arm_zeta"}).context["board"].table("funnel").rows
    assert funnel == client.get(url).context["board"].table("funnel").rows
    assert client.get(url).context["board"].table("enrolment-by-arm") is None


@pytest.mark.django_db
def test_the_check_would_catch_a_leak_because_the_statistician_sees_the_arms(client, blind_world):
    client.force_login(blind_world.statistician)
    study = blind_world.study.code
    assert "Zeta high dose" in _text(client.get(reverse("reports:study-outcomes-csv", args=[study])))
    page = client.get(reverse("reports:study-dashboard", args=[study]))
    assert page.context["board"].table("enrolment-by-arm") is not None and "Omega placebo" in _text(page)
