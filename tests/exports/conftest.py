"""A generated LBPB study (two visits at least, missing values, Chinese labels) and exporting personas."""

import io

import pytest
from django.core.management import call_command

from accounts.services import membership_grant
from studies.models import Study
from tests.factories import UserFactory


@pytest.fixture
def lbpb(db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    call_command("generate_study", "--study", "lbpb", "--participants", "6", "--seed", "11", stdout=io.StringIO())
    return Study.objects.get(code="lbpb")


@pytest.fixture
def persona(lbpb):
    def make(role: str, study=None, **kwargs):
        user = UserFactory(username=f"{role}-export")
        membership_grant(user=user, study=study or lbpb, role=role, sites=[], all_sites=True, **kwargs)
        return user

    return make


@pytest.fixture
def make_user(db):
    def make(role: str, study):
        user = UserFactory(username=f"{role}-{study.code}")
        membership_grant(user=user, study=study, role=role, sites=[], all_sites=True)
        return user

    return make
