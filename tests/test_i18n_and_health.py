import pytest
from django.urls import reverse

from tests.factories import UserFactory


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "Log in"), ("zh-hans", "登录")],
)
def test_the_login_page_renders_in_both_languages(client, language, expected):
    client.cookies["django_language"] = language
    page = client.get(reverse("two_factor:login")).content.decode()
    assert expected in page
    assert f'lang="{language}"' in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "welcome", "no_role"),
    [("en", "Welcome", "You have no study role yet"), ("zh-hans", "欢迎", "您还没有任何研究角色")],
)
def test_the_home_page_renders_in_both_languages(client, language, welcome, no_role):
    client.force_login(UserFactory())
    client.cookies["django_language"] = language
    page = client.get(reverse("home")).content.decode()
    assert welcome in page
    assert no_role in page


@pytest.mark.django_db
def test_the_language_switcher_sets_chinese(client):
    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert response.status_code == 302
    assert "登录" in client.get(reverse("two_factor:login")).content.decode()


@pytest.mark.django_db
def test_health_answers_without_login(client):
    response = client.get(reverse("core:health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_assets_are_served_by_the_product_not_a_cdn(client):
    client.force_login(UserFactory())
    page = client.get(reverse("home")).content.decode()
    assert "cdn" not in page.lower()
    assert "//" not in "".join(line for line in page.splitlines() if "<script" in line or "stylesheet" in line)
