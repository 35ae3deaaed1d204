"""What each role may do in a study: the one capability table, and the blinding rule beside it.

The access functions of every app, the navigation and the persona matrix (tests/test_access_matrix.py) read
``CAPABILITIES``; no other module spells out a set of roles. Being a member is what makes a study visible
(a 404 otherwise, decided by each app's access functions); an action the role lacks is a 403.

This module imports no other app of the project: the study is passed in, and only ``study.pk`` and
``study.blinding`` are read.
"""

from enum import StrEnum

from django.core.exceptions import PermissionDenied

from .models import Role
from .selectors import membership_for, roles_for_user


class Action(StrEnum):
    # Studies and participants
    VIEW_STUDY = "view_study"  # every member: the study, its protocol history, safety, CONSORT, lists by site
    VIEW_PARTICIPANTS = "view_participants"  # participant work among the daily links (navigation)
    MANAGE_PARTICIPANTS = "manage_participants"  # screen, consent, enrol, withdraw, record visits
    # Undo a visit recorded as missed (a correction, with a reason): the data manager's, not the site's.
    REOPEN_VISIT = "reopen_visit"
    SEE_IDENTIFIERS = "see_identifiers"  # names, phones, national IDs
    LOAD_PROTOCOL = "load_protocol"
    LOAD_INSTRUMENTS = "load_instruments"  # the study's own instrument definitions (the study's instruments page)
    # Create a study from its protocol file: a server-wide action (SERVER_ACTIONS), held by no study role.
    CREATE_STUDY = "create_study"
    # Data entry and review
    ENTER_DATA = "enter_data"  # enter, change and import CRF responses
    RAISE_QUERY = "raise_query"  # raise, close and reopen data queries
    ANSWER_QUERY = "answer_query"
    VIEW_MONITORING = "view_monitoring"  # the monitoring dashboard
    VIEW_STATUS_GRID = "view_status_grid"  # the record status grid: participants × visits × forms (reports)
    # The study dashboard and the outcomes page (reports): aggregates over the study, arms only by sees_arms.
    VIEW_DASHBOARD = "view_dashboard"
    VERIFY = "verify"  # source data verification
    LOCK = "lock"  # lock and release responses, visits and casebooks
    SIGN = "sign"  # the investigator's casebook signature
    # Lock or sign although required SDV or open queries remain, giving a reason (audited): the data manager's
    # and the PI's judgement, not the monitor's (docs/monitoring.md).
    OVERRIDE_REVIEW_GATE = "override_review_gate"
    READ_STUDY_AUDIT = "read_study_audit"  # the study-wide and per-user audit trails
    # Safety
    RECORD_SAE_REPORT = "record_sae_report"  # record that an SAE was reported to a recipient
    NOTIFIED_OF_SAE = "notified_of_sae"  # told by e-mail of SAEs and their deadlines
    # Acquisitions
    UPLOAD_FILES = "upload_files"  # upload acquisitions and retry their ingest
    LINK_FILES = "link_files"  # see the queue of files waiting for a participant and link them
    EXPORT_MRI = "export_mri"  # export the study's MRI as BIDS (the zip holds no arm)
    DELETE_MRI_EXPORT = "delete_mri_export"
    # Download derived measures: the roles that analyse or check study data (coordinators have the participant
    # page); the export carries no arm, so blinded and unblinded roles may both have it.
    EXPORT_MEASURES = "export_measures"
    # Data exports of CRF data (exports app): the builder page with its row and column counts (PI: read-only),
    # running and downloading de-identified exports, and identified ones (study IDs and real dates).
    VIEW_DATA_EXPORT = "view_data_export"
    EXPORT_DATA = "export_data"
    EXPORT_IDENTIFIED = "export_identified"
    # Randomisation and blinding
    GENERATE_ALLOCATION = "generate_allocation"  # generate (from a server-drawn seed) and freeze lists, unseen
    # Choose the seed of a new allocation list: whoever knows the seed can rebuild the whole list offline and
    # predict every allocation, so only the role that may see the list may choose it (docs/randomisation.md).
    SET_ALLOCATION_SEED = "set_allocation_seed"
    SEE_ALLOCATION_LIST = "see_allocation_list"  # the list itself (arms of every slot) and its seed
    RANDOMISE = "randomise"
    EMERGENCY_UNBLIND = "emergency_unblind"
    READ_UNBLINDING_REPORT = "read_unblinding_report"
    NOTIFIED_OF_UNBLINDING = "notified_of_unblinding"  # told by e-mail of every emergency unblinding
    SEE_ARMS_WHEN_BLINDED = "see_arms_when_blinded"  # see sees_arms
    # Load an amendment of a blinded study that changes blinding, design or blinded_schedule or adds arm-restricted
    # visits or activities (studies.protocol.blinding): it could unblind the study, so the blinded roles that
    # load protocols may not. Loading the file needs LOAD_PROTOCOL as well.
    AMEND_BLINDING = "amend_blinding"
    # Biobank (biobank app): collect, aliquot, place, move and dispose of specimens (site staff); set up freezers,
    # racks and boxes. Seeing specimens and box maps needs only VIEW_STUDY (within the user's sites).
    HANDLE_SPECIMENS = "handle_specimens"
    MANAGE_STORAGE = "manage_storage"
    SHIP_SPECIMENS = "ship_specimens"  # build, ship and receive shipments; record what consent allows
    APPROVE_EXPORT = "approve_export"  # record the export approval a shipment abroad needs
    # API tokens of the study's other members: list, regenerate and revoke them (api app). Every member makes and
    # revokes their own token without it.
    MANAGE_API_TOKENS = "manage_api_tokens"
    # Make, show once and revoke a participant's survey link for a visit, and set where reminders go (surveys app).
    SEND_SURVEY_LINKS = "send_survey_links"
    # Accounts: log in with a second factor (TOTP) before any page, when settings.REQUIRE_2FA is on.
    USE_TWO_FACTOR = "use_two_factor"
    # The study's members page: invite users, give and withdraw roles and sites, deactivate users (within the
    # manager's own sites, and only roles the manager may grant: may_grant). A server administrator (an active
    # superuser) may do it in every study: MANAGE_ANY_STUDY_MEMBERS.
    MANAGE_MEMBERS = "manage_members"
    MANAGE_ANY_STUDY_MEMBERS = "manage_any_study_members"


A = Action
CAPABILITIES: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset(
        {
            A.SEND_SURVEY_LINKS,
            A.USE_TWO_FACTOR,
            A.VIEW_STUDY,
            A.VIEW_PARTICIPANTS,
            A.MANAGE_PARTICIPANTS,
            A.SEE_IDENTIFIERS,
            A.LOAD_PROTOCOL,
            A.LOAD_INSTRUMENTS,
            A.ENTER_DATA,
            A.VIEW_MONITORING,
            A.READ_STUDY_AUDIT,
            A.RECORD_SAE_REPORT,
            A.UPLOAD_FILES,
            A.LINK_FILES,
            A.EXPORT_MRI,
            A.DELETE_MRI_EXPORT,
            A.EXPORT_MEASURES,
            A.VIEW_DATA_EXPORT,
            A.EXPORT_DATA,
            A.EXPORT_IDENTIFIED,
            A.GENERATE_ALLOCATION,
            A.READ_UNBLINDING_REPORT,
            A.MANAGE_API_TOKENS,
            A.MANAGE_STORAGE,
            A.MANAGE_MEMBERS,
        }
    ),
    Role.DATA_MANAGER: frozenset(
        {
            A.USE_TWO_FACTOR,
            A.VIEW_STUDY,
            A.VIEW_DASHBOARD,
            A.VIEW_PARTICIPANTS,
            A.VIEW_STATUS_GRID,
            A.LOAD_PROTOCOL,
            A.LOAD_INSTRUMENTS,
            A.ENTER_DATA,
            A.RAISE_QUERY,
            A.VIEW_MONITORING,
            A.LOCK,
            A.OVERRIDE_REVIEW_GATE,
            A.REOPEN_VISIT,
            A.READ_STUDY_AUDIT,
            A.RECORD_SAE_REPORT,
            A.NOTIFIED_OF_SAE,
            A.UPLOAD_FILES,
            A.LINK_FILES,
            A.EXPORT_MRI,
            A.DELETE_MRI_EXPORT,
            A.EXPORT_MEASURES,
            A.VIEW_DATA_EXPORT,
            A.EXPORT_DATA,
            A.EXPORT_IDENTIFIED,
            A.READ_UNBLINDING_REPORT,
            A.NOTIFIED_OF_UNBLINDING,
        }
    ),
    Role.PI: frozenset(
        {
            A.SEND_SURVEY_LINKS,
            A.USE_TWO_FACTOR,
            A.VIEW_STUDY,
            A.VIEW_DASHBOARD,
            A.VIEW_PARTICIPANTS,
            A.VIEW_STATUS_GRID,
            A.MANAGE_PARTICIPANTS,
            A.SEE_IDENTIFIERS,
            A.ENTER_DATA,
            A.ANSWER_QUERY,
            A.VIEW_MONITORING,
            A.SIGN,
            A.OVERRIDE_REVIEW_GATE,
            A.RECORD_SAE_REPORT,
            A.NOTIFIED_OF_SAE,
            A.UPLOAD_FILES,
            A.EXPORT_MEASURES,
            A.VIEW_DATA_EXPORT,
            A.RANDOMISE,
            A.EMERGENCY_UNBLIND,
            A.HANDLE_SPECIMENS,
            A.SHIP_SPECIMENS,
            A.APPROVE_EXPORT,
        }
    ),
    Role.COORDINATOR: frozenset(
        {
            A.SEND_SURVEY_LINKS,
            A.VIEW_STUDY,
            A.VIEW_PARTICIPANTS,
            A.VIEW_STATUS_GRID,
            A.MANAGE_PARTICIPANTS,
            A.SEE_IDENTIFIERS,
            A.ENTER_DATA,
            A.ANSWER_QUERY,
            A.RECORD_SAE_REPORT,
            A.UPLOAD_FILES,
            A.RANDOMISE,
            A.HANDLE_SPECIMENS,
            A.MANAGE_STORAGE,
            A.SHIP_SPECIMENS,
        }
    ),
    Role.MONITOR: frozenset(
        {
            A.VIEW_STUDY,
            A.VIEW_DASHBOARD,
            A.VIEW_PARTICIPANTS,
            A.VIEW_STATUS_GRID,
            A.RAISE_QUERY,
            A.VIEW_MONITORING,
            A.VERIFY,
            A.LOCK,  # a monitor locks what they verified; the gate refuses while SDV or queries remain
            A.READ_STUDY_AUDIT,
            A.EXPORT_MEASURES,
        }
    ),
    Role.UNBLINDED_STATISTICIAN: frozenset(
        {
            A.USE_TWO_FACTOR,
            A.VIEW_STUDY,
            A.VIEW_DASHBOARD,
            A.LOAD_PROTOCOL,  # for the amendments only it may load (AMEND_BLINDING)
            A.AMEND_BLINDING,
            A.EXPORT_MRI,
            A.EXPORT_MEASURES,
            A.VIEW_DATA_EXPORT,
            A.EXPORT_DATA,
            A.GENERATE_ALLOCATION,
            A.SET_ALLOCATION_SEED,
            A.SEE_ALLOCATION_LIST,
            A.READ_UNBLINDING_REPORT,
            A.SEE_ARMS_WHEN_BLINDED,
        }
    ),
}
del A

# The role new data queries are addressed to (site staff answer them).
QUERY_ASSIGNEE = Role.COORDINATOR

# Study.Blinding's value for an open study (studies.models.Study.Blinding.NONE; accounts does not import studies).
OPEN = "none"


def role_may(role: str | None, action: Action) -> bool:
    # Memberships store the role's plain value; the table is read each time (six rows) so tests may widen it.
    return any(key == role and action in actions for key, actions in CAPABILITIES.items())


def roles_with(action: Action) -> frozenset[str]:
    """The roles that may do ``action`` (for queries such as ``Membership.objects.filter(role__in=...)``)."""
    return frozenset(role for role, actions in CAPABILITIES.items() if action in actions)


def is_blinded(study) -> bool:
    return study.blinding != OPEN


def sees_arms(role: str | None, blinding: str) -> bool:
    """The blinding rule: in an open study every member sees arms; in a blinded one (single or double) only the
    roles that may SEE_ARMS_WHEN_BLINDED (the Unblinded statistician). A non-member sees none."""
    if role is None:
        return False
    return blinding == OPEN or role_may(role, Action.SEE_ARMS_WHEN_BLINDED)


def role_in(user, study) -> str | None:
    """The user's role in ``study`` (None for a non-member), looked up once per user object and study
    (``request.user`` lives for one request)."""
    cache = user.__dict__.setdefault("_study_roles", {})
    if study.pk not in cache:
        membership = membership_for(user, study)
        cache[study.pk] = membership.role if membership else None
    return cache[study.pk]


def can(user, study, action: Action) -> bool:
    return role_may(role_in(user, study), action)


def require(user, study, action: Action) -> None:
    """A 403: the caller found the study's object in the user's scope, but the role may not do ``action``."""
    if not can(user, study, action):
        raise PermissionDenied


def can_see_arms(user, study) -> bool:
    """May ``user`` see arms (of any participant) in ``study``? (sees_arms for the user's role.)"""
    return sees_arms(role_in(user, study), study.blinding)


def can_in_any_study(user, action: Action) -> bool:
    """May ``user`` do ``action`` in at least one of its studies? (For pages that belong to no study, such as the
    REDCap data-dictionary reader, which stands next to the protocol upload.)"""
    return any(role_may(role, action) for role in roles_for_user(user))


def require_in_any_study(user, action: Action) -> None:
    if not can_in_any_study(user, action):
        raise PermissionDenied


# Actions on the server rather than in a study: held by the server's administrators (active superusers), since
# nobody has a role in a study before it exists. No study role holds them (the persona matrix expects a 403).
SERVER_ACTIONS = frozenset({Action.CREATE_STUDY, Action.MANAGE_ANY_STUDY_MEMBERS})


def can_on_server(user, action: Action) -> bool:
    return action in SERVER_ACTIONS and bool(getattr(user, "is_active", False) and getattr(user, "is_superuser", False))


def require_on_server(user, action: Action) -> None:
    if not can_on_server(user, action):
        raise PermissionDenied


# Actions a manager may pass on only when the manager holds them too: seeing arms or the allocation list, choosing
# a list's seed, amending the blinding, managing members. A role holding one of them is "above" a manager who
# lacks it, so a study Admin (blinded: no SEE_ARMS_WHEN_BLINDED, no SEE_ALLOCATION_LIST) cannot make anyone,
# themselves included, an Unblinded statistician: only a server administrator can.
GRANT_GUARDED = frozenset(
    {
        Action.SEE_ARMS_WHEN_BLINDED,
        Action.SEE_ALLOCATION_LIST,
        Action.SET_ALLOCATION_SEED,
        Action.AMEND_BLINDING,
        Action.MANAGE_MEMBERS,
    }
)


def role_may_grant(manager_role: str | None, role: str | None) -> bool:
    """May a member whose role is ``manager_role`` give (or take away) ``role``? Only with MANAGE_MEMBERS, and
    only a role whose guarded actions (GRANT_GUARDED) the manager holds as well."""
    if not role_may(manager_role, Action.MANAGE_MEMBERS):
        return False
    held = next((actions for key, actions in CAPABILITIES.items() if key == manager_role), frozenset())
    wanted = next((actions for key, actions in CAPABILITIES.items() if key == role), None)
    return wanted is not None and (wanted & GRANT_GUARDED) <= held


def may_manage_members(user, study) -> bool:
    return can_on_server(user, Action.MANAGE_ANY_STUDY_MEMBERS) or can(user, study, Action.MANAGE_MEMBERS)


def may_grant(user, study, role: str | None) -> bool:
    """May ``user`` give ``role`` in ``study`` (or change or withdraw a membership holding it)? A server
    administrator may give every role; a study member as role_may_grant says."""
    if can_on_server(user, Action.MANAGE_ANY_STUDY_MEMBERS):
        return role in CAPABILITIES
    return role_may_grant(role_in(user, study), role)


def grantable_roles(user, study) -> list[str]:
    return [role for role in CAPABILITIES if may_grant(user, study, role)]
