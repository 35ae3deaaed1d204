"""The CONSORT flow as CSV rows and as a JSON-ready dict (pure: the flow is already scoped and blinded)."""

from __future__ import annotations

from dataclasses import asdict

from .consort import ConsortFlow

HEADER = ["section", "arm", "visit", "measure", "label", "n"]


def csv_rows(flow: ConsortFlow) -> list[list]:
    ex = flow.excluded
    rows = [
        HEADER,
        ["enrolment", "", "", "assessed", "", flow.assessed],
        ["enrolment", "", "", "excluded", "", ex.n],
        ["enrolment", "", "", "screen_failed", "", ex.screen_failed],
    ]
    rows += [["enrolment", "", "", "failed_criterion", f"{line.code}: {line.label}", line.n] for line in ex.criteria]
    rows += [["enrolment", "", "", "declined", "", ex.declined], ["enrolment", "", "", "other", "", ex.other]]
    rows += [["enrolment", "", "", "other_reason", line.label, line.n] for line in ex.other_reasons]
    rows.append(["enrolment", "", "", "randomised" if flow.randomised_design else "enrolled", "", flow.included])
    rows.append(["enrolment", "", "", "no_arm_yet", "", flow.not_allocated])
    for arm in flow.arms:
        name = arm.name if flow.arms_visible else "pooled"
        rows.append(["allocation", name, "", "allocated", "", arm.allocated])
        if arm.received is not None:
            rows.append(["allocation", name, "", "received_intervention", "", arm.received])
            rows.append(["allocation", name, "", "did_not_receive", "", arm.not_received])
        for visit, step in zip(flow.visits, arm.follow_up, strict=True):
            if step is None:
                continue
            rows.append(["follow_up", name, visit.code, "completed", "", step.completed])
            rows.append(["follow_up", name, visit.code, "lost_to_follow_up", "", step.lost])
            rows.append(["follow_up", name, visit.code, "withdrawn", "", step.withdrawn])
            rows += [
                ["follow_up", name, visit.code, "withdrawal_reason", line.label, line.n]
                for line in step.withdrawal_reasons
            ]
        rows.append(["analysis", name, "", "analysed", "", arm.analysed])
    return rows  # core.csv guards the cells when they are written


def as_dict(flow: ConsortFlow) -> dict:
    data = asdict(flow)
    for arm, source in zip(data["arms"], flow.arms, strict=True):
        arm["not_received"] = source.not_received
    return data
