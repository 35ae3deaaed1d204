from django.urls import path  # noqa: F401  (patterns are added by the CRF entry pages)

app_name = "instruments"

urlpatterns = []
