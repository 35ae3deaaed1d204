"""An unreachable database answers the 503 maintenance page (core.views.server_error), in the viewer's language;
the next request after it comes back succeeds. Other server errors stay a plain 500.

The database is made really unreachable: the connection is dropped and its settings point at a place no server
answers (a closed port on PostgreSQL, a file in a folder that does not exist on SQLite), so the driver itself
fails to connect. The test's own connection is kept aside and put back afterwards (an in-memory SQLite test
database lives only as long as it does). The fault test ``python -m loadtest.faults pg-restart`` does the same
with a real PostgreSQL restart under load.
"""

from contextlib import contextmanager

import pytest
from django.db import connection
from django.urls import reverse

from tests.factories import UserFactory


@contextmanager
def database_unreachable():
    saved_connection, saved = connection.connection, dict(connection.settings_dict)
    connection.connection = None
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-folder/for-this-test/db.sqlite3"
    else:
        connection.settings_dict.update(HOST="127.0.0.1", PORT="9")  # discard: nothing listens
    try:
        yield
    finally:
        if connection.connection is not None and connection.connection is not saved_connection:
            connection.connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
        connection.connection = saved_connection


@pytest.fixture
def signed_in(client):
    client.force_login(UserFactory(username="reader"))
    client.raise_request_exception = False  # answer as the server would, with the error handler's page
    return client


@pytest.mark.django_db(transaction=True)
def test_a_page_answers_the_maintenance_page_while_the_database_is_unreachable(signed_in):
    with database_unreachable():
        response = signed_in.get(reverse("home"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert 'id="maintenance"' in page and "The EDC is temporarily unavailable" in page
    assert "Traceback" not in page and "OperationalError" not in page
    assert signed_in.get(reverse("home")).status_code == 200  # back: the next request succeeds


@pytest.mark.django_db(transaction=True)
def test_the_maintenance_page_is_translated(signed_in):
    signed_in.cookies["django_language"] = "zh-hans"
    with database_unreachable():
        response = signed_in.get(reverse("home"))
    assert response.status_code == 503
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page
    assert "EDC 暂时无法使用" in page


@pytest.mark.django_db(transaction=True)
def test_a_form_post_while_the_database_is_unreachable_is_refused_cleanly(signed_in):
    with database_unreachable():
        response = signed_in.post(reverse("accounts:profile"), {"email": "reader@example.org"})
    assert response.status_code == 503


def test_another_server_error_stays_a_plain_500(rf):
    from core.views import server_error

    try:
        raise ValueError("not a database problem")
    except ValueError:
        response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert b"temporarily unavailable" not in response.content


def test_a_full_disk_answers_the_storage_full_page(rf):
    import errno

    from core.views import server_error

    try:
        raise OSError(errno.ENOSPC, "No space left on device")
    except OSError:
        response = server_error(rf.get("/"))
    assert response.status_code == 507
    assert b'id="storage-full"' in response.content and b"No space left" not in response.content
