"""Persona-matrix kwargs of the instruments app, and the small protocol that gives study alpha visits.

The world's study alpha has no protocol; a CRF page needs one, so the first own-value call attaches
ALPHA_PROTOCOL (study code "alpha", sites A and B, a baseline visit with PHQ-9, SF-36 and PSQI).
"""

import hashlib

from studies.models import ProtocolVersion
from tests.protocol_text import protocol_head

ALPHA_PROTOCOL = (
    protocol_head()
    + """visits:
  - code: baseline
    label: {en: "Baseline", zh: "基线"}
    anchor: enrolment
    offset_days: 0
    window_before: 0
    window_after: 7
    activities:
      instruments: [phq9, sf36, psqi, sleep_diary, {code: phq9, key: phq9_family, respondent: family}]
      specimens: [blood]
  - code: m1
    label: {en: "Month 1", zh: "第1个月"}
    anchor: enrolment
    offset_days: 30
    window_before: 3
    window_after: 3
    activities:
      instruments: [phq9]
rules:
  - code: reassess
    kind: reassessment
    instrument: phq9
    score: total
    baseline_visit: baseline
    visit: m1
    min_reduction_percent: 30
    flag: {en: "Reassess treatment", zh: "重新评估治疗方案"}
"""
)

VISIT = "baseline"
ACTIVITY = "phq9"


def attach_protocol(study, text: str = ALPHA_PROTOCOL, version: str = "1.0", filename: str = "alpha.yaml"):
    """Store ``text`` as the current protocol of ``study`` (as loading a protocol file would)."""
    return ProtocolVersion.objects.create(
        study=study,
        version=version,
        filename=filename,
        text=text,
        checksum=hashlib.sha256(text.encode()).hexdigest(),
        is_current=True,
    )


def alpha_with_protocol(world):
    """Attach ALPHA_PROTOCOL once (another app's matrix module may share it: the current one is kept)."""
    if "alpha_protocol" not in world.__dict__:
        current = ProtocolVersion.objects.filter(study=world.study, is_current=True).first()
        world.alpha_protocol = current or attach_protocol(world.study)
    return world


def _response(world, participant_name: str):
    from instruments.models import Response

    alpha_with_protocol(world)
    participant = getattr(world, participant_name)
    key = f"response_{participant_name}"
    if key not in world.__dict__:
        world.__dict__[key] = Response.objects.create(
            participant=participant,
            visit_code=VISIT,
            activity_key=ACTIVITY,
            instrument_code="phq9",
            definition_version="1.0",
            values={},
            status=Response.Status.IN_PROGRESS,
            lock_version=1,
        )
    return world.__dict__[key].pk


KWARGS = {
    "visit_code": (lambda w: alpha_with_protocol(w) and VISIT, None, None),
    "activity_key": (lambda w: alpha_with_protocol(w) and ACTIVITY, None, None),
    "instrument_code": (lambda w: "phq9", None, None),
    "instrument_version": (lambda w: "1.0", None, None),
    "response_id": (
        lambda w: _response(w, "participant_a"),
        lambda w: _response(w, "participant_b"),
        lambda w: _response(w, "participant_c"),
    ),
}
