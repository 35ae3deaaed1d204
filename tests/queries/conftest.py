"""Study alpha with a protocol whose demographics form comes at two visits, and data-quality rules."""

import pytest

from tests.matrix.instruments import attach_protocol
from tests.protocol_text import protocol_head

QUALITY_PROTOCOL = (
    protocol_head()
    + """visits:
  - code: baseline
    label: {en: "Baseline", zh: "基线"}
    anchor: enrolment
    offset_days: 0
    window_before: 0
    window_after: 7
    activities:
      instruments: [demographics, vas, phq9]
  - code: m1
    label: {en: "Month 1", zh: "第1个月"}
    anchor: enrolment
    offset_days: 30
    window_before: 3
    window_after: 3
    activities:
      instruments: [demographics, vas]
quality_rules:
  - code: weight_change
    kind: change
    message: {en: "Weight changed by more than 20 %", zh: "体重变化超过20%"}
    instrument: demographics
    item: demographics_weight
    max_percent: 20
  - code: vas_plausible
    kind: range
    message: {en: "VAS above 90 mm: please confirm", zh: "VAS高于90 mm：请确认"}
    instrument: vas
    item: vas_1
    max: 90
  - code: visit_after_consent
    kind: before
    message: {en: "Visit date is before the consent date", zh: "访视日期早于知情同意日期"}
    earlier: consent
    later: visit
  - code: weight_required
    kind: required_at_visit
    message: {en: "Weight is missing", zh: "缺少体重"}
    instrument: demographics
    item: demographics_weight
    visits: [m1]
"""
)


@pytest.fixture
def quality_world(world):
    attach_protocol(world.study, QUALITY_PROTOCOL, filename="alpha-quality.yaml")
    return world


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Personas are many here; the default hasher costs a second or so per user on a busy machine."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
