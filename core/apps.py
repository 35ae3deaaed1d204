from django.apps import AppConfig
from django.conf import settings

from . import validation


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # The pure bounds module reads no settings itself: it gets them once, here.
        validation.configure(
            max_future_years=settings.INPUT_MAX_FUTURE_YEARS, max_text_length=settings.INPUT_MAX_TEXT_LENGTH
        )
