"""core.admin.ReadOnlyAdmin: the admins that only show rows refuse to add, change or delete, even to a superuser."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import RequestFactory

from core.admin import ReadOnlyAdmin
from tests.factories import UserFactory

READ_ONLY = [
    "audit.AuditEvent",
    "queries.Query",
    "instruments.Response",
    "studies.ProtocolVersion",
    "safety.AdverseEvent",
    "safety.SaeReport",
    "safety.SafetyNotification",
    "participants.Participant",
    "participants.Screening",
    "participants.Consent",
    "participants.AnchorDate",
    "studies.Study",
    "imaging.DataFile",
    "imaging.IngestJob",
    "imaging.DicomSeries",
    "imaging.DerivedMeasure",
]


@pytest.fixture
def superuser_request(db):
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    return request


def _admin(label: str):
    return admin.site._registry[apps.get_model(label)]


@pytest.mark.parametrize("label", READ_ONLY)
def test_a_read_only_admin_shows_rows_but_never_writes_them(label, superuser_request):
    model_admin = _admin(label)
    assert isinstance(model_admin, ReadOnlyAdmin)
    assert model_admin.has_view_permission(superuser_request)
    assert not model_admin.has_add_permission(superuser_request)
    assert not model_admin.has_change_permission(superuser_request)
    assert not model_admin.has_delete_permission(superuser_request)
    assert "delete_selected" not in model_admin.get_actions(superuser_request)
