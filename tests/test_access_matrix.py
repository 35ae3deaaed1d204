"""Persona matrix: every URL of the product, for every role, own and foreign objects.

New URLs join automatically: the test walks the URL resolver. A URL whose
keyword argument is not in tests/matrix/ fails the test until someone says
which object of the world fills it, so no URL can escape the matrix.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import ALL_ROLES
from tests.matrix import all_kwargs

# Namespaces of third-party pages that are not the product's own (checked for login only).
THIRD_PARTY = {"admin", "two_factor", "djdt"}
# URL names that anyone may open without logging in.
PUBLIC = {"core:health", "two_factor:login", "set_language", "admin:login", "logout"}

OBJECT_KWARGS = all_kwargs()
# URLs that answer 400 without a required query parameter (an API filter): the own request carries it.
QUERY = {"imaging:api-measure-list": lambda world: {"study": world.study.code}}


def _walk(patterns, namespace="", kwargs=()):
    for entry in patterns:
        names = tuple(kwargs) + tuple(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}{entry.namespace}:"
            yield from _walk(entry.url_patterns, ns, names)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", names


def project_urls():
    """(name, kwarg names) for every named URL of the product's own apps."""
    seen = {}
    for name, kwargs in _walk(get_resolver().url_patterns):
        if name.split(":")[0] in THIRD_PARTY or name in PUBLIC:
            continue
        seen.setdefault(name, kwargs)
    return sorted(seen.items())


def all_urls():
    seen = {}
    for name, kwargs in _walk(get_resolver().url_patterns):
        seen.setdefault(name, kwargs)
    return sorted(seen.items())


def _url(world, name, kwargs, *, foreign=None, variant=1):
    """Reverse ``name`` with own objects, replacing ``foreign`` by its site-B (1) or other-study (2) value."""
    values = {key: OBJECT_KWARGS[key][0](world) for key in kwargs}
    if foreign is not None:
        values[foreign] = OBJECT_KWARGS[foreign][variant](world)
    return reverse(name, kwargs=values)


def _foreign_variants(key):
    return [variant for variant in (1, 2) if OBJECT_KWARGS[key][variant] is not None]


def test_every_url_kwarg_is_known_to_the_matrix():
    unknown = {(name, key) for name, kwargs in project_urls() for key in kwargs if key not in OBJECT_KWARGS}
    assert not unknown, f"add these URL kwargs to OBJECT_KWARGS: {sorted(unknown)}"
    assert len(project_urls()) >= 5


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_login_everywhere_but_public_pages(client, world):
    login = reverse("two_factor:login")
    for name, kwargs in all_urls():
        if name in PUBLIC or name.startswith("admin:") or name.startswith("djdt:"):
            continue
        if any(key not in OBJECT_KWARGS for key in kwargs):
            continue
        response = client.get(_url(world, name, kwargs))
        assert response.status_code == 302, name
        assert response.url.startswith(login), name


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_a_site_a_persona_reaches_own_pages_and_gets_404_for_site_b_and_other_studies(
    client, world, make_persona, role
):
    client.force_login(make_persona(role))
    for name, kwargs in project_urls():
        own = client.get(_url(world, name, kwargs), QUERY[name](world) if name in QUERY else None)
        assert own.status_code in (200, 302, 403, 405), (name, own.status_code)
        for key in kwargs:
            for variant in _foreign_variants(key):
                url = _url(world, name, kwargs, foreign=key, variant=variant)
                for method in (client.get, client.post):
                    response = method(url)
                    assert response.status_code in (404, 405), (name, key, variant, response.status_code)
                    assert "ALPHA-B" not in response.content.decode(), name


@pytest.mark.django_db
def test_a_site_a_coordinator_does_not_see_site_b_in_lists(client, world, make_persona):
    client.force_login(make_persona("coordinator"))
    page = client.get(reverse("participants:participant-list", args=[world.study.code])).content.decode()
    assert "ALPHA-A-0001" in page
    assert "ALPHA-B-0001" not in page
    assert "BETA-C-0001" not in page


@pytest.mark.django_db
def test_an_all_sites_member_sees_both_sites_but_not_the_other_study(client, world, make_persona):
    client.force_login(make_persona("data_manager", all_sites=True))
    assert client.get(reverse("participants:participant-detail", args=[world.participant_b.pk])).status_code == 200
    assert client.get(reverse("participants:participant-detail", args=[world.participant_c.pk])).status_code == 404
    assert client.get(reverse("studies:study-detail", args=[world.other_study.code])).status_code == 404


@pytest.mark.django_db
def test_a_user_without_membership_sees_no_study(client, world):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get(reverse("studies:study-detail", args=[world.study.code])).status_code == 404
    assert client.get(reverse("participants:participant-detail", args=[world.participant_a.pk])).status_code == 404
    assert "Alpha study" not in client.get(reverse("studies:study-list")).content.decode()
