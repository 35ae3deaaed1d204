"""A form's status as every page shows it (the participant page's chips, the record status grid): one rule, one
look (colour and icon always with a label, so no status is told by colour alone).

Kept with participants because the participant page shows it; the grid (reports) imports it from here. The
rule itself is pure: callers pass what they read (response status, SDV, lock, signature).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# Form statuses, from least to most advanced, then the marks a cell can carry (query, visit states).
NOT_STARTED, IN_PROGRESS, COMPLETE, VERIFIED, LOCKED, SIGNED = (
    "not_started",
    "in_progress",
    "complete",
    "verified",
    "locked",
    "signed",
)
OPEN_QUERY, OUT_OF_WINDOW, MISSED, OVERDUE = "open_query", "out_of_window", "missed", "overdue"
# A specimen or acquisition: expected at the visit, but its record lives in another module (no form status yet).
NOT_TRACKED = "not_tracked"
# queries.Query's unresolved statuses (queries.selectors.OPEN_STATUSES; queries sits on a floor above).
OPEN_QUERY_STATUSES = ("open", "answered", "reopened")


@dataclass(frozen=True)
class Look:
    label: object  # a lazy translation
    style: str  # Bootstrap contextual colour
    icon: str  # bootstrap-icons name


LOOKS = {
    NOT_STARTED: Look(_("Not started"), "light", "circle"),
    IN_PROGRESS: Look(_("In progress"), "warning", "pencil"),
    COMPLETE: Look(_("Complete"), "primary", "check-circle"),
    VERIFIED: Look(_("Verified (SDV)"), "success", "patch-check"),
    LOCKED: Look(_("Locked"), "secondary", "lock"),
    SIGNED: Look(_("Signed"), "dark", "pen"),
    OPEN_QUERY: Look(_("Open query"), "danger", "chat-left-dots"),
    OUT_OF_WINDOW: Look(_("Out of window"), "warning", "calendar-x"),
    MISSED: Look(_("Missed"), "dark", "slash-circle"),
    OVERDUE: Look(_("Overdue"), "danger", "alarm"),
    NOT_TRACKED: Look(_("Expected (recorded outside the forms)"), "light", "box"),
}


def form_status(status: str | None, *, verified: bool, locked: bool, signed: bool) -> str:
    """One form's place in the review chain: a signature covers only complete forms of a signed casebook; a lock
    makes any saved form read-only; SDV counts only at the saved version. ``status`` is the response's
    (instruments.Response.Status values), None when nothing was saved."""
    if status in (None, NOT_STARTED, IN_PROGRESS):
        if locked:
            return LOCKED
        return status or NOT_STARTED
    if signed:
        return SIGNED
    if locked:
        return LOCKED
    return VERIFIED if verified else COMPLETE


@dataclass
class FormChip:
    """One expected activity of a visit with its status and open queries, titled by its instrument's title."""

    key: str  # the activity key (the CRF's URL part)
    kind: str  # instrument, specimen, …: only instruments have a form to open
    title: str
    status: str
    open_queries: int = 0

    @property
    def look(self) -> Look:
        return LOOKS[self.status]
