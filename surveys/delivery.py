"""How reminders leave the server: e-mail through Django's mail backend (settings.EMAIL_BACKEND), SMS through the
provider class named by settings.SURVEY_SMS_BACKEND (an object with ``send(*, to, text)``). The console SMS
backend below only logs, for development and tests; a real provider's class goes beside it."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class ConsoleSmsBackend:
    """Logs each SMS instead of sending it."""

    def send(self, *, to: str, text: str) -> None:
        logger.info("SMS to %s: %s", to, text)


def sms_backend():
    return import_string(settings.SURVEY_SMS_BACKEND)()


def deliver(*, channel: str, to: str, subject: str, text: str) -> None:
    """Send one message; raises whatever the backend raises (the caller records the failure)."""
    if channel == "email":
        send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    else:
        sms_backend().send(to=to, text=text)
