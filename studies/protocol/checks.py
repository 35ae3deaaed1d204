"""Cross-reference checks run after the structure of a protocol file has been read."""

from __future__ import annotations

import string
from collections import defaultdict

from . import limits
from .reader import Reader, gettext_noop, join
from .schema import Visit

ID_FIELDS = {"study", "site", "seq"}
# One template per kind of code, so each reads as a whole sentence in every language.
DUPLICATE_CODE = {
    "site": gettext_noop("duplicate site code '%(code)s' (first at %(first)s)"),
    "arm": gettext_noop("duplicate arm code '%(code)s' (first at %(first)s)"),
    "anchor": gettext_noop("duplicate anchor code '%(code)s' (first at %(first)s)"),
    "visit": gettext_noop("duplicate visit code '%(code)s' (first at %(first)s)"),
}
NOT_DECLARED = {
    "anchor": gettext_noop("anchor '%(code)s' is not declared by the study"),
    "visit": gettext_noop("visit '%(code)s' is not declared by the study"),
}


def check_references(r: Reader, parsed) -> None:
    for key in ("sites", "arms", "anchors", "visits"):
        _check_unique(r, getattr(parsed, key), key.rstrip("s"))
    anchors = {a.code: a for _, a in parsed.anchors}
    arms = {a.code for _, a in parsed.arms}
    if parsed.anchors and "enrolment" not in anchors:
        r.add("anchors", gettext_noop("the anchor 'enrolment' must be declared"))
    _check_expected_anchors(r, parsed.anchors, anchors)
    if parsed.study is not None:
        _check_design(r, parsed.study, parsed.arms)
        _check_id_pattern(r, "study.participant_id_pattern", parsed.study.participant_id_pattern)
    for path, site in parsed.sites:
        if site.participant_id_pattern is not None:
            _check_id_pattern(r, join(path, "participant_id_pattern"), site.participant_id_pattern)
    for path, visit in parsed.visits:
        _check_visit_refs(r, path, visit, anchors, arms)
    if parsed.study is not None and parsed.study.blinded and parsed.study.blinded_schedule is None:
        check_arm_content_hidden(r, parsed.visits)
    union = parsed.study is not None and parsed.study.blinded and parsed.study.blinded_schedule == "union"
    _check_overlaps(r, parsed.visits, union=union)
    _check_rules(r, parsed.rules, {v.code for _, v in parsed.visits})


def _check_unique(r: Reader, pairs, what: str) -> None:
    seen: dict[str, str] = {}
    for path, item in pairs:
        if item.code in seen:
            r.add(join(path, "code"), DUPLICATE_CODE[what], code=item.code, first=seen[item.code])
        else:
            seen[item.code] = path


def _check_expected_anchors(r: Reader, pairs, anchors: dict) -> None:
    for path, anchor in pairs:
        if anchor.expected is None:
            continue
        here = join(join(path, "expected"), "anchor")
        if anchor.expected.anchor not in anchors:
            r.add(here, NOT_DECLARED["anchor"], code=anchor.expected.anchor)
        elif _leads_back(anchor.code, anchors):
            r.add(here, gettext_noop("expected dates form a cycle through '%(code)s'"), code=anchor.code)


def _leads_back(start: str, anchors: dict) -> bool:
    code, seen = start, set()
    while anchors.get(code) is not None and anchors[code].expected is not None:
        code = anchors[code].expected.anchor
        if code == start or code in seen:
            return True
        seen.add(code)
    return False


def _check_design(r: Reader, study, arms) -> None:
    if study.design != "randomised":
        return
    if len(arms) < 2:
        r.add("arms", gettext_noop("a randomised study needs at least two arms"))
    for path, arm in arms:
        if arm.ratio is None:
            r.add(join(path, "ratio"), gettext_noop("a randomised study needs an allocation ratio for every arm"))


def _check_id_pattern(r: Reader, path: str, pattern: str) -> None:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None}
        unknown = names - ID_FIELDS
        if unknown:
            r.add(
                path,
                gettext_noop("unknown field(s) %(fields)s; use {study}, {site}, {seq}"),
                fields=", ".join(sorted(unknown)),
            )
        elif "seq" not in names:
            r.add(path, gettext_noop("the pattern needs the sequence field {seq} (e.g. {seq:04d}) to make IDs unique"))
        else:
            pattern.format(study="S", site="01", seq=1)
    except (ValueError, KeyError, IndexError) as exc:
        r.add(path, gettext_noop("not a valid pattern: %(reason)s"), reason=str(exc))  # Python's reason: data


def _check_visit_refs(r: Reader, path: str, visit: Visit, anchors: dict, arms: set[str]) -> None:
    if not visit.unscheduled and visit.anchor not in anchors:
        r.add(join(path, "anchor"), NOT_DECLARED["anchor"], code=visit.anchor)
    for i, arm in enumerate(visit.arms):
        if arm not in arms:
            r.add(join(join(path, "arms"), i), gettext_noop("the study has no arm '%(arm)s'"), arm=arm)
    for activity in visit.activities:
        for arm in activity.arms:
            where = join(path, "activities")
            if arm not in arms:
                r.add(
                    where,
                    gettext_noop("activity '%(activity)s' names arm '%(arm)s' the study does not have"),
                    activity=activity.key,
                    arm=arm,
                )
            elif visit.arms and arm not in visit.arms:
                r.add(
                    where,
                    gettext_noop("activity '%(activity)s' names arm '%(arm)s' that has no such visit"),
                    activity=activity.key,
                    arm=arm,
                )


ARM_CONTENT_IN_BLINDED_STUDY = {
    "visit": gettext_noop(
        "in a blinded study a visit for some arms only would show blinded staff who is in which arm; "
        "declare `study.blinded_schedule: union` (every participant gets the visit) or remove `arms`"
    ),
    "activity": gettext_noop(
        "in a blinded study activity '%(activity)s' for some arms only would show blinded staff who is in which "
        "arm; declare `study.blinded_schedule: union` (every participant gets it) or remove its `arms`"
    ),
}


def check_arm_content_hidden(r: Reader, visits) -> None:
    """A blinded study without ``blinded_schedule``: refuse every visit and activity restricted to some arms
    (their presence on a participant's schedule, the due list or the audit trail would give the arm away)."""
    for path, visit in visits:
        if visit.arms:
            r.add(join(path, "arms"), ARM_CONTENT_IN_BLINDED_STUDY["visit"])
        for activity in visit.activities:
            if activity.arms:
                r.add(join(path, "activities"), ARM_CONTENT_IN_BLINDED_STUDY["activity"], activity=activity.key)


def occurrence_offsets(visit: Visit) -> list[int]:
    if visit.repeating is None:
        return [visit.offset_days]
    return [visit.offset_days + i * visit.repeating.every_days for i in range(visit.repeating.count)]


def _check_overlaps(r: Reader, visits, *, union: bool = False) -> None:
    # Two windows on one anchor that overlap for a shared arm make "which visit is this?" ambiguous. In a
    # union schedule every participant has every visit, so every pair of visits shares the participants.
    # The check compares occurrences pairwise, so their number is bounded first.
    occurrences = sum(visit.repeating.count if visit.repeating else 1 for _, visit in visits)
    if occurrences > limits.MAX_OCCURRENCES:
        r.add(
            "visits",
            gettext_noop("the schedule has %(count)s visits with their repeats; at most %(limit)s are accepted"),
            count=occurrences,
            limit=limits.MAX_OCCURRENCES,
        )
        return
    by_anchor = defaultdict(list)
    for path, visit in visits:
        if visit.unscheduled:  # no window to overlap
            continue
        for n, offset in enumerate(occurrence_offsets(visit)):
            start, end = offset - visit.window_before, offset + visit.window_after
            by_anchor[visit.anchor].append((path, visit, n, start, end))
    reported: set[str] = set()  # one problem per visit is enough, even when many repeats overlap
    for slots in by_anchor.values():
        for i, (path, visit, n, start, end) in enumerate(slots):
            if path in reported:
                continue
            clash = next((s for s in slots[:i] if _clash((visit, n, start, end), s[1:], union)), None)
            if clash is not None and path not in reported:
                reported.add(path)
                r.add(
                    path,
                    gettext_noop(
                        "window (days %(start)s to %(end)s from %(anchor)s) overlaps visit "
                        "'%(other)s' (days %(other_start)s to %(other_end)s)"
                    ),
                    start=start,
                    end=end,
                    anchor=visit.anchor,
                    other=clash[1].code,
                    other_start=clash[3],
                    other_end=clash[4],
                )


def _clash(slot, other, union: bool) -> bool:
    (visit, n, start, end), (o_visit, m, o_start, o_end) = slot, other
    if (o_visit.code, m) == (visit.code, n) or not (union or _share_arm(visit, o_visit)):
        return False
    return start <= o_end and o_start <= end


def _share_arm(a: Visit, b: Visit) -> bool:
    return not a.arms or not b.arms or bool(set(a.arms) & set(b.arms))


def _check_rules(r: Reader, rules, visit_codes: set[str]) -> None:
    for path, rule in rules:
        for key in ("baseline_visit", "visit"):
            if getattr(rule, key) not in visit_codes:
                r.add(join(path, key), NOT_DECLARED["visit"], code=getattr(rule, key))
