"""Cross-reference checks run after the structure of a protocol file has been read."""

from __future__ import annotations

import string
from collections import defaultdict

from .reader import Reader, join
from .schema import Visit

ID_FIELDS = {"study", "site", "seq"}


def check_references(r: Reader, parsed) -> None:
    for key in ("sites", "arms", "anchors", "visits"):
        _check_unique(r, getattr(parsed, key), key.rstrip("s"))
    anchors = {a.code: a for _, a in parsed.anchors}
    arms = {a.code for _, a in parsed.arms}
    if parsed.anchors and "enrolment" not in anchors:
        r.add("anchors", "the anchor 'enrolment' must be declared")
    _check_expected_anchors(r, parsed.anchors, anchors)
    if parsed.study is not None:
        _check_design(r, parsed.study, parsed.arms)
        _check_id_pattern(r, "study.participant_id_pattern", parsed.study.participant_id_pattern)
    for path, site in parsed.sites:
        if site.participant_id_pattern is not None:
            _check_id_pattern(r, join(path, "participant_id_pattern"), site.participant_id_pattern)
    for path, visit in parsed.visits:
        _check_visit_refs(r, path, visit, anchors, arms)
    _check_overlaps(r, parsed.visits)
    _check_rules(r, parsed.rules, {v.code for _, v in parsed.visits})


def _check_unique(r: Reader, pairs, what: str) -> None:
    seen: dict[str, str] = {}
    for path, item in pairs:
        if item.code in seen:
            r.add(join(path, "code"), f"duplicate {what} code '{item.code}' (first at {seen[item.code]})")
        else:
            seen[item.code] = path


def _check_expected_anchors(r: Reader, pairs, anchors: dict) -> None:
    for path, anchor in pairs:
        if anchor.expected is None:
            continue
        here = join(join(path, "expected"), "anchor")
        if anchor.expected.anchor not in anchors:
            r.add(here, f"anchor '{anchor.expected.anchor}' is not declared by the study")
        elif _leads_back(anchor.code, anchors):
            r.add(here, f"expected dates form a cycle through '{anchor.code}'")


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
        r.add("arms", "a randomised study needs at least two arms")
    for path, arm in arms:
        if arm.ratio is None:
            r.add(join(path, "ratio"), "a randomised study needs an allocation ratio for every arm")


def _check_id_pattern(r: Reader, path: str, pattern: str) -> None:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None}
        unknown = names - ID_FIELDS
        if unknown:
            r.add(path, f"unknown field(s) {', '.join(sorted(unknown))}; use {{study}}, {{site}}, {{seq}}")
        elif "seq" not in names:
            r.add(path, "the pattern needs the sequence field {seq} (e.g. {seq:04d}) to make IDs unique")
        else:
            pattern.format(study="S", site="01", seq=1)
    except (ValueError, KeyError, IndexError) as exc:
        r.add(path, f"not a valid pattern: {exc}")


def _check_visit_refs(r: Reader, path: str, visit: Visit, anchors: dict, arms: set[str]) -> None:
    if visit.anchor not in anchors:
        r.add(join(path, "anchor"), f"anchor '{visit.anchor}' is not declared by the study")
    for i, arm in enumerate(visit.arms):
        if arm not in arms:
            r.add(join(join(path, "arms"), i), f"the study has no arm '{arm}'")
    for activity in visit.activities:
        for arm in activity.arms:
            where = join(path, "activities")
            if arm not in arms:
                r.add(where, f"activity '{activity.key}' names arm '{arm}' the study does not have")
            elif visit.arms and arm not in visit.arms:
                r.add(where, f"activity '{activity.key}' names arm '{arm}' that has no such visit")


def occurrence_offsets(visit: Visit) -> list[int]:
    if visit.repeating is None:
        return [visit.offset_days]
    return [visit.offset_days + i * visit.repeating.every_days for i in range(visit.repeating.count)]


def _check_overlaps(r: Reader, visits) -> None:
    # Two windows on one anchor that overlap for a shared arm make "which visit is this?" ambiguous.
    by_anchor = defaultdict(list)
    for path, visit in visits:
        for n, offset in enumerate(occurrence_offsets(visit)):
            start, end = offset - visit.window_before, offset + visit.window_after
            by_anchor[visit.anchor].append((path, visit, n, start, end))
    reported: set[str] = set()  # one problem per visit is enough, even when many repeats overlap
    for slots in by_anchor.values():
        for i, (path, visit, n, start, end) in enumerate(slots):
            clash = next((s for s in slots[:i] if _clash((visit, n, start, end), s[1:])), None)
            if clash is not None and path not in reported:
                reported.add(path)
                r.add(path, f"window (days {start} to {end} from {visit.anchor}) overlaps visit "
                            f"'{clash[1].code}' (days {clash[3]} to {clash[4]})")


def _clash(slot, other) -> bool:
    (visit, n, start, end), (o_visit, m, o_start, o_end) = slot, other
    if (o_visit.code, m) == (visit.code, n) or not _share_arm(visit, o_visit):
        return False
    return start <= o_end and o_start <= end


def _share_arm(a: Visit, b: Visit) -> bool:
    return not a.arms or not b.arms or bool(set(a.arms) & set(b.arms))


def _check_rules(r: Reader, rules, visit_codes: set[str]) -> None:
    for path, rule in rules:
        for key in ("baseline_visit", "visit"):
            if getattr(rule, key) not in visit_codes:
                r.add(join(path, key), f"visit '{getattr(rule, key)}' is not declared by the study")
