"""The CONSORT flow as CSV rows and as a JSON-ready dict (pure: the flow is already scoped and blinded)."""

from __future__ import annotations

from dataclasses import asdict

from .consort import ConsortFlow

HEADER = ["section", "arm", "visit", "measure", "label", "n"]


def _lines(section: str, arm: str, measure: str, lines) -> list[list]:
    return [
        [section, arm, "", measure, f"{line.code}: {line.label}" if line.code != line.label else line.label, line.n]
        for line in lines
    ]


def csv_rows(flow: ConsortFlow) -> list[list]:
    ex = flow.excluded
    rows = [
        HEADER,
        ["enrolment", "", "", "assessed", "", flow.assessed],
        ["enrolment", "", "", "excluded", "", ex.n],
        ["enrolment", "", "", "screen_failed", "", ex.screen_failed],
    ]
    rows += [["enrolment", "", "", "failed_criterion", f"{line.code}: {line.label}", line.n] for line in ex.criteria]
    rows += [
        ["enrolment", "", "", "declined", "", ex.declined],
        ["enrolment", "", "", "still_screening", "", ex.screening],
    ]
    rows += [["enrolment", "", "", "screening_reason", line.label, line.n] for line in ex.screening_reasons]
    rows.append(["enrolment", "", "", "other", "", ex.other])
    rows += [["enrolment", "", "", "other_reason", line.label, line.n] for line in ex.other_reasons]
    rows.append(["enrolment", "", "", "randomised" if flow.randomised_design else "enrolled", "", flow.included])
    rows.append(["enrolment", "", "", "no_arm_yet", "", flow.not_allocated])
    for arm in flow.arms:
        rows += _arm_rows(arm, arm.name if flow.arms_visible else "pooled")
    return rows  # core.csv guards the cells when they are written


def _arm_rows(arm, name: str) -> list[list]:
    rows = [["allocation", name, "", "allocated", "", arm.allocated]]
    if arm.intervention is not None and arm.intervention.none:
        rows.append(["allocation", name, "", "no_intervention", "", ""])
    elif arm.received is not None:
        rows.append(["allocation", name, "", "received_intervention", "", arm.received])
        rows.append(["allocation", name, "", "did_not_receive", "", arm.not_received])
    rows.append(["follow_up", name, "", "lost_to_follow_up", "", arm.lost])
    rows.append(["follow_up", name, "", "missed_analysis_visit", "", arm.missed_visit])
    rows += _lines("follow_up", name, "missed_visit_reason", arm.missed_reasons)
    rows.append(["follow_up", name, "", "discontinued", "", arm.discontinued])
    rows += _lines("follow_up", name, "discontinuation_reason", arm.discontinuation_reasons)
    rows.append(["follow_up", name, "", "withdrawn", "", arm.withdrawn])
    rows += _lines("follow_up", name, "withdrawal_reason", arm.withdrawal_reasons)
    rows.append(["analysis", name, "", "analysed", "", "" if arm.analysed is None else arm.analysed])
    rows.append(["analysis", name, "", "excluded_from_analysis", "", arm.excluded_from_analysis])
    rows += _lines("analysis", name, "exclusion_reason", arm.exclusion_reasons)
    return rows


def as_dict(flow: ConsortFlow) -> dict:
    data = asdict(flow)
    for arm, source in zip(data["arms"], flow.arms, strict=True):
        arm["not_received"] = source.not_received
    return data
