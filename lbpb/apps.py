from django.apps import AppConfig


class LbpbConfig(AppConfig):
    """The project package as an app, so that its management commands are found."""

    name = "lbpb"
    verbose_name = "LBP EDC"
