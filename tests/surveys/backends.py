"""Delivery backends for the reminder tests: each delivered message is one line of the file named by
SURVEY_TEST_OUTBOX, so a test can count what a real worker process delivered. SURVEY_TEST_SEND_PAUSE seconds pass
before each delivery (a worker can be killed mid-run, between claiming a message and delivering it)."""

import os
import time

from django.core.mail.backends.base import BaseEmailBackend


def _deliver(line: str) -> None:
    time.sleep(float(os.environ.get("SURVEY_TEST_SEND_PAUSE", "0")))
    with open(os.environ["SURVEY_TEST_OUTBOX"], "a", encoding="utf-8") as outbox:
        outbox.write(line + "\n")
        outbox.flush()


class FileEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        for message in email_messages:
            _deliver(f"email|{','.join(message.to)}|{message.subject}")
        return len(email_messages)


class FileSmsBackend:
    def send(self, *, to: str, text: str) -> None:
        _deliver(f"sms|{to}|{text}")
