import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Factories set real passwords; a cheap hasher keeps these tests fast (no test here is about hashing)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
