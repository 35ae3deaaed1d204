"""Which changes of an amendment to a blinded study could weaken the blind.

Changing `blinding`, `design` or `blinded_schedule`, or adding arm-restricted content (a visit or an activity
with `arms`, or new `arms` on one that had none or other ones), can show blinded staff who is in which arm:
an open study shows every arm, and a visit on one arm's schedules only tells whose arm it is. The studies
service lets only a role that may amend the blinding load such a file, and flags it for the sponsor.
"""

from __future__ import annotations

from .reader import Problem, gettext_noop, join
from .schema import Protocol

STUDY_KEYS = ("blinding", "design", "blinded_schedule")
MESSAGES = {
    "study": gettext_noop(
        "changing `%(key)s` of a blinded study can unblind it; only the Unblinded statistician may load this amendment"
    ),
    "visit": gettext_noop(
        "visit '%(visit)s' gets arms it did not have (%(arms)s) in a blinded study; only the Unblinded "
        "statistician may load this amendment"
    ),
    "activity": gettext_noop(
        "activity '%(activity)s' at visit '%(visit)s' gets arms it did not have (%(arms)s) in a blinded study; "
        "only the Unblinded statistician may load this amendment"
    ),
}


def blinding_relevant_changes(old: Protocol | None, new: Protocol, *, filename: str) -> list[Problem]:
    """The blinding-relevant changes from ``old`` (the current version of a blinded study) to ``new``, each as a
    problem with its key path, in file order. ``old`` None (the stored version can no longer be read, so
    nothing can be compared) counts every study key and every arm-restricted item of ``new`` as changed."""
    out = [
        Problem.of(filename, join("study", key), MESSAGES["study"], key=key)
        for key in STUDY_KEYS
        if old is None or getattr(old.study, key) != getattr(new.study, key)
    ]
    before = {v.code: v for v in old.visits} if old is not None else {}
    for i, visit in enumerate(new.visits):
        path, previous = f"visits[{i}]", before.get(visit.code)
        added = _new_arms(previous.arms if previous is not None else (), visit.arms)
        if added:
            out.append(Problem.of(filename, join(path, "arms"), MESSAGES["visit"], visit=visit.code, arms=added))
        old_activities = {a.key: a for a in previous.activities} if previous is not None else {}
        for activity in visit.activities:
            was = old_activities.get(activity.key)
            added = _new_arms(was.arms if was is not None else (), activity.arms)
            if added:
                out.append(
                    Problem.of(
                        filename,
                        join(path, "activities"),
                        MESSAGES["activity"],
                        activity=activity.key,
                        visit=visit.code,
                        arms=added,
                    )
                )
    return out


def _new_arms(before: tuple[str, ...], after: tuple[str, ...]) -> str:
    """The restriction ``after`` as text when it is new (none before, or other arms than before), else ""."""
    if not after or set(after) == set(before):
        return ""
    return ", ".join(after)
