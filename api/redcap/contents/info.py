"""``content=version`` and ``content=project``: the version, the project information, and (with a super token)
the creation of a project from our protocol format."""

from __future__ import annotations

from accounts.capabilities import Action, can_on_server
from audit.models import AuditEvent
from studies.protocol.reader import ProtocolError
from workflows.study_setup import study_create

from ...services import token_create
from ..wire import RedcapError, object_response, text_response

# Strict MAJOR.MINOR.PATCH (PyCap parses it with semantic_version); below 15.8.2 redcapAPI expects no
# project_pi_email in the project information.
REDCAP_VERSION = "14.5.10"
PURPOSE_RESEARCH = 2
ODM_REFUSED = (
    "ODM XML project files are not supported here: send the study's protocol file (YAML, docs/protocol-format.md) "
    "as the parameter odm."
)


def version(caller, params, action):
    return text_response(REDCAP_VERSION)


def project(caller, params, action):
    if caller.super_token is not None or action == "import":  # a super token's content=project creates one
        return _create(caller, params)
    return object_response(project_information(caller), params.format())


def project_information(caller) -> dict:
    study, model = caller.study, caller.project
    return {
        "project_id": study.pk,
        "project_title": study.title,
        "creation_time": study.created_at.strftime("%Y-%m-%d %H:%M:%S"),
        "production_time": "",
        "in_production": 1,
        "project_language": "English",
        "purpose": PURPOSE_RESEARCH,
        "purpose_other": "",
        "project_notes": study.sponsor,
        "custom_record_label": "",
        "secondary_unique_field": "",
        "is_longitudinal": int(bool(model.events)),
        "has_repeating_instruments_or_events": int(model.has_repeating),
        "surveys_enabled": 0,
        "scheduling_enabled": 0,
        "record_autonumbering_enabled": 0,
        "randomization_enabled": int(study.design == "randomised" and caller.sees_arms),
        "ddp_enabled": 0,
        "project_irb_number": "",
        "project_grant_number": "",
        "project_pi_firstname": "",
        "project_pi_lastname": "",
        "display_today_now_button": 1,
        "missing_data_codes": "",
        "external_modules": "",
        "bypass_branching_erase_field_prompt": 0,
    }


def _create(caller, params):
    """A new study from its protocol file, by a server administrator's super token; the answer is a project token
    of the new study for that administrator (REDCap's clients take the last 32 characters)."""
    if caller.super_token is None:
        raise RedcapError("Project information cannot be changed through the API: use the study's pages.")
    if not can_on_server(caller.user, Action.CREATE_STUDY):
        raise RedcapError("You do not have permissions to use the API", status=403)
    text = params.values.get("odm", "")
    if not text.strip():
        raise RedcapError("The parameter odm is missing: send the study's protocol file (YAML) as odm.")
    if text.lstrip().startswith("<"):
        raise RedcapError(ODM_REFUSED)
    try:
        result, _instruments = study_create(text=text, filename="redcap-api.yaml", user=caller.user)
    except ProtocolError as error:
        raise RedcapError("The protocol file cannot be loaded: " + "; ".join(str(p) for p in error.problems)) from None
    new = token_create(user=caller.user, study=result.study, by=caller.user, path=AuditEvent.Path.API)
    return text_response(new.key)
