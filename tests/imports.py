"""Post a response file to the import page and run its job in-process, as without a broker (the task is sent
after the commit, which a test's transaction never makes); returns the job page, or the form when refused."""

from django.test import TestCase


def post_import(client, url: str, data: dict):
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url, data)
    return client.get(response.url) if response.status_code == 302 else response
