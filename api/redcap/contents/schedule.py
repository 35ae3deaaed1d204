"""``content=arm``, ``event``, ``formEventMapping``, ``repeatingFormsEvents`` and ``dag``: the schedule and
the sites. A study without a protocol has no events: REDCap's classic project, whose arm, event and mapping
calls are REDCap's 400 errors (clients read them as "not longitudinal"). The schedule is changed by a protocol
amendment, not through the API."""

from __future__ import annotations

from studies.selectors import sites_for_user

from ..project import Project
from ..wire import RedcapError, table_response

CLASSIC = {
    "arm": "You cannot export arms for classic projects",
    "event": "You cannot export events for classic projects",
    "formEventMapping": "You cannot export form/event mappings for classic projects",
}
READ_ONLY = "The study's schedule (arms, events and their forms) changes by a protocol amendment, not the API."


def _longitudinal(caller, content: str, action: str) -> Project:
    if action in ("import", "delete"):
        raise RedcapError(READ_ONLY)
    project = caller.project
    if not project.events:
        raise RedcapError(CLASSIC[content])
    return project


def _arm_filter(params) -> set[int] | None:
    wanted = params.array("arms")
    if not wanted:
        return None
    try:
        return {int(arm) for arm in wanted}
    except ValueError:
        raise RedcapError(
            f"The following values in the parameter \"arms\" are not valid: '{', '.join(wanted)}'"
        ) from None


def arm(caller, params, action):
    project = _longitudinal(caller, "arm", action)
    arms = _arm_filter(params)
    with_events = {event.arm_num for event in project.events}  # REDCap lists an arm only if it has events
    rows = [
        {"arm_num": a.num, "name": a.name}
        for a in project.arms
        if a.num in with_events and (arms is None or a.num in arms)
    ]
    return table_response(rows, params.format(), columns=["arm_num", "name"])


def event(caller, params, action):
    project = _longitudinal(caller, "event", action)
    arms = _arm_filter(params)
    rows = [
        {
            "event_name": e.label,
            "arm_num": e.arm_num,
            "unique_event_name": e.unique_name,
            "custom_event_label": "",
            "event_id": e.event_id,
        }
        for e in project.events
        if arms is None or e.arm_num in arms
    ]
    columns = ["event_name", "arm_num", "unique_event_name", "custom_event_label", "event_id"]
    return table_response(rows, params.format(), columns=columns)


def form_event_mapping(caller, params, action):
    project = _longitudinal(caller, "formEventMapping", action)
    arms = _arm_filter(params)
    rows = [
        {"arm_num": e.arm_num, "unique_event_name": e.unique_name, "form": form}
        for e in project.events
        if arms is None or e.arm_num in arms
        for form in e.forms
    ]
    return table_response(rows, params.format(), columns=["arm_num", "unique_event_name", "form"])


def repeating_forms_events(caller, params, action):
    if action == "import":
        raise RedcapError("Which forms repeat is part of each instrument's definition, not set through the API.")
    project = caller.project
    rows = [
        {"event_name": e.unique_name, "form_name": name, "custom_form_label": ""}
        for e in project.events
        for name in e.forms
        if project.form_by_name[name].repeating
    ]
    return table_response(rows, params.format(), columns=["event_name", "form_name", "custom_form_label"])


def dag(caller, params, action):
    """The sites the caller may see, as data access groups (unique group name = the site's code)."""
    if action in ("import", "delete", "switch"):
        raise RedcapError("Sites are set up on the study's pages, not through the API.")
    sites = sites_for_user(caller.user, caller.study).order_by("code")
    rows = [
        {"data_access_group_name": site.name, "unique_group_name": site.code.lower(), "data_access_group_id": site.pk}
        for site in sites
    ]
    columns = ["data_access_group_name", "unique_group_name", "data_access_group_id"]
    return table_response(rows, params.format(), columns=columns)
