from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API"

    def ready(self):
        from . import schema  # noqa: F401  registers the token's OpenAPI security scheme
