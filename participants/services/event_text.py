"""How an anchor set by an event is named: in messages to the user and in the reasons the trail stores.

Apart from ``anchor_events`` so that ``schedule.anchor_set`` can refuse a typed date with the event's name
without importing the module that builds on it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.i18n import text_for

# Why the system set or cleared a date, stored in both languages like the other reasons (common.WHY_*).
EVENT_REASONS = {
    "randomisation": "Date set by randomisation / 日期由随机化设定",
    "consent": "Date set by the consent date / 日期由知情同意日期设定",
    "enrolment": "Date set by enrolment / 日期由入组设定",
    "crf": "Date set by form item %s / 日期由表单条目%s设定",
}


def event_label(set_by) -> str:
    """The event in the viewer's language ("randomisation", "item x of the form y")."""
    if set_by.event == "crf":
        return _("item %(item)s of the form %(instrument)s") % {"item": set_by.item, "instrument": set_by.instrument}
    return {"randomisation": _("randomisation"), "consent": _("consent"), "enrolment": _("enrolment")}[set_by.event]


def refuse_if_set_by_event(protocol, anchor_code: str) -> None:
    """A date an event sets is never typed: two sources for one date would disagree."""
    anchor = protocol.anchor(anchor_code)
    if anchor.set_by is not None:
        raise ValidationError(
            _("The date of “%(anchor)s” is set by %(event)s; it cannot be entered by hand.")
            % {"anchor": text_for(anchor.label), "event": event_label(anchor.set_by)}
        )
