from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RandomisationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "randomisation"
    verbose_name = _("Randomisation and blinding")
