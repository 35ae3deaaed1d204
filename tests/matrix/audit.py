"""Persona-matrix kwargs of the audit app.

``user_id``: a user whose trail a study's auditors may read. Own: a member of study alpha; foreign: a user
whose only membership is in study beta (outside the persona's studies). A site-B member of alpha is not
foreign: alpha's auditors may read their trail (limited to the events at their own sites).
``object_type``/``object_id``: an audited object; participants carry audit events at each site.
"""

from accounts.services import membership_grant
from audit.models import AuditEvent
from audit.services import audit_record
from tests.factories import UserFactory


def _member(world, name: str, study, site):
    if name not in world.__dict__:
        user = UserFactory(username=name)
        membership_grant(user=user, study=study, role="coordinator", sites=[site])
        world.__dict__[name] = user
    return world.__dict__[name].pk


def _audited(world, participant_name: str):
    participant = getattr(world, participant_name)
    key = f"audited_{participant_name}"
    if key not in world.__dict__:
        world.__dict__[key] = audit_record(
            user=None,
            action=AuditEvent.Action.UPDATE,
            instance=participant,
            changes={"status": ["screening", "enrolled"]},
            path="system",
        )
    return str(participant.pk)


KWARGS = {
    "user_id": (
        lambda w: _member(w, "audit_colleague", w.study, w.site_a),
        None,
        lambda w: _member(w, "audit_beta_only", w.other_study, w.site_c),
    ),
    "object_type": (lambda w: "participants.participant", None, None),
    "object_id": (
        lambda w: _audited(w, "participant_a"),
        lambda w: _audited(w, "participant_b"),
        lambda w: _audited(w, "participant_c"),
    ),
}
