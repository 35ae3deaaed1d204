"""Protocol rules evaluated on scores, such as LBPB's treatment reassessment at one month."""

from __future__ import annotations

from .schema import ReassessmentRule


def needs_reassessment(rule: ReassessmentRule, baseline: float | None, current: float | None) -> bool | None:
    """True when the score fell by less than `rule.min_reduction_percent` of baseline, or rose.

    LBPB (NCT06967363): "If patients do not show significant improvement within 4 weeks or experience
    worsening symptoms, their treatment will be reassessed"; the 30 % cut-off follows the IMMPACT
    "moderately important" change in pain (Dworkin et al., J Pain 2008;9:105-121).
    None when either score is missing. A baseline of 0 cannot fall, so only a rise is flagged then.
    """
    if baseline is None or current is None:
        return None
    if baseline == 0:
        return current > 0
    # Rounded so that 7 -> 4.9 counts as exactly 30 %, not 29.999999999999993 %.
    reduction_percent = round((baseline - current) / baseline * 100, 9)
    return reduction_percent < rule.min_reduction_percent
