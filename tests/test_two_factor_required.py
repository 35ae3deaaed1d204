"""Two-factor log-in is required of Admin, Data manager, PI and Unblinded statistician (the USE_TWO_FACTOR action of the capability table)."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice


@pytest.fixture(autouse=True)
def two_factor_on(settings):
    settings.REQUIRE_2FA = True


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["admin", "data_manager", "pi", "unblinded_statistician"])
def test_a_role_that_needs_it_is_sent_to_set_up_before_any_page(client, make_persona, world, role):
    client.force_login(make_persona(role))
    for url in (reverse("home"), reverse("studies:study-detail", args=[world.study.code])):
        response = client.get(url)
        assert response.status_code == 302 and response.url == reverse("two_factor:setup")
    assert client.get(reverse("two_factor:setup")).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["coordinator", "monitor"])
def test_other_roles_may_go_on_without_it(client, make_persona, role):
    client.force_login(make_persona(role))
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_a_verified_user_goes_on(client, make_persona):
    from django_otp import login as otp_login

    user = make_persona("pi")
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    request = type("R", (), {"session": client.session, "user": user})()
    otp_login(request, device)
    request.session.save()
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_the_setting_turns_it_off(client, make_persona, settings):
    settings.REQUIRE_2FA = False
    client.force_login(make_persona("pi"))
    assert client.get(reverse("home")).status_code == 200
