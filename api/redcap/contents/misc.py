"""``generateNextRecordName``, ``file``, ``user`` and record delete: what REDCap has and this product answers
in its own way (said in each function)."""

from __future__ import annotations

from accounts.capabilities import Action
from participants.models import Participant
from studies.protocol.ids import participant_id
from studies.selectors import sites_for_user

from ..wire import RedcapError, table_response, text_response

NO_FILE_FIELDS = (
    "There is no file upload field named '{field}': this server's instruments have no file upload fields (data "
    "files such as MRI or PSG are uploaded as acquisitions on the participant's page)."
)
NO_DELETE = "You do not have Delete Record privileges"


def next_record_name(caller, params, action):
    """The study ID the next participant enrolled at the caller's first site would get (the protocol's pattern).
    It is a preview: enrolment on the study's pages gives the ID (records are not created through this API)."""
    sites = list(sites_for_user(caller.user, caller.study).order_by("code"))
    if not sites or caller.protocol is None:
        raise RedcapError("There is no site where this user could enrol a record.")
    site = sites[0]
    taken = set(
        Participant.objects.filter(study=caller.study).exclude(identifier="").values_list("identifier", flat=True)
    )
    seq = Participant.objects.filter(site=site).exclude(identifier="").count() + 1
    try:
        while (candidate := participant_id(caller.protocol, site.code, seq)) in taken:
            seq += 1
    except (KeyError, ValueError, IndexError):
        raise RedcapError("The protocol's participant ID pattern does not name this site.") from None
    return text_response(candidate)


def file(caller, params, action):
    """REDCap's error for a field that is not a file upload field: the product's instruments have none."""
    name = params.get("field")
    if not name:
        raise RedcapError("The parameter field is missing.")
    raise RedcapError(NO_FILE_FIELDS.format(field=name))


def delete_records(caller, params):
    """No role deletes a participant's data through the API (withdrawal and corrections keep the audit trail)."""
    raise RedcapError(NO_DELETE, status=403)


def _rights(caller) -> dict:
    api_import = int(caller.can(Action.ENTER_DATA))
    forms = {form.name: 1 for form in caller.project.forms}
    sites = list(sites_for_user(caller.user, caller.study))
    single_site = sites[0].code.lower() if len(sites) == 1 else ""
    return {
        "username": caller.user.username,
        "email": caller.user.email,
        "firstname": caller.user.first_name,
        "lastname": caller.user.last_name,
        "expiration": "",
        "data_access_group": single_site,
        "data_access_group_id": sites[0].pk if single_site else "",
        "design": 0,
        "user_rights": 0,
        "data_access_groups": 0,
        "reports": 0,
        "stats_and_charts": 0,
        "manage_survey_participants": 0,
        "calendar": 0,
        "data_import_tool": api_import,
        "data_comparison_tool": 0,
        "logging": int(caller.can(Action.READ_STUDY_AUDIT)),
        "file_repository": 0,
        "data_quality_create": int(caller.can(Action.RAISE_QUERY)),
        "data_quality_execute": int(caller.can(Action.RAISE_QUERY)),
        "api_export": 1,
        "api_import": api_import,
        "mobile_app": 0,
        "mobile_app_download_data": 0,
        "record_create": 0,
        "record_rename": 0,
        "record_delete": 0,
        "lock_records_all_forms": 0,
        "lock_records": int(caller.can(Action.LOCK)),
        "lock_records_customization": 0,
        "forms": forms,
        "forms_export": forms,
    }


def user(caller, params, action):
    """The caller's own row (other members' names and e-mails are on the study's pages, for those who may)."""
    if action in ("import", "delete"):
        raise RedcapError("Members and their roles are managed on the study's pages, not through the API.")
    row = _rights(caller)
    fmt = params.format()
    if fmt != "json":  # csv and xml hold the forms as "form:1,form:1"
        for key in ("forms", "forms_export"):
            row[key] = ",".join(f"{name}:{value}" for name, value in row[key].items())
    return table_response([row], fmt, delimiter=params.delimiter())
