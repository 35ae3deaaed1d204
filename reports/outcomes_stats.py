"""Descriptive statistics of an outcome at one visit: n, mean, SD, 95 % CI of the mean, median and IQR.

Pure Python (no Django). The SD is the sample SD (n - 1); the CI is mean ± t(0.975, n - 1) · SD / √n, with the
two-sided t quantiles tabulated below (Student's t, to 3 decimals) and 1.96 beyond 30 degrees of freedom; the
quartiles are the linear interpolation of R's type 7 (the default of R, numpy and Excel's QUARTILE.INC).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

T_975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


@dataclass(frozen=True)
class Summary:
    n: int
    mean: float | None = None
    sd: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    median: float | None = None
    q1: float | None = None
    q3: float | None = None


def quantile(ordered: Sequence[float], p: float) -> float:
    """The ``p`` quantile of sorted values (R type 7)."""
    h = (len(ordered) - 1) * p
    low = math.floor(h)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (h - low) * (ordered[high] - ordered[low])


def t_quantile(df: int) -> float:
    return T_975[df - 1] if df <= len(T_975) else 1.96


def summarise(values: Sequence[float]) -> Summary:
    """The summary of ``values``; SD and CI need two values, and are None below that."""
    ordered = sorted(float(v) for v in values)
    n = len(ordered)
    if n == 0:
        return Summary(0)
    mean = sum(ordered) / n
    middle = dict(median=quantile(ordered, 0.5), q1=quantile(ordered, 0.25), q3=quantile(ordered, 0.75))
    if n == 1:
        return Summary(1, mean, **middle)
    sd = math.sqrt(sum((v - mean) ** 2 for v in ordered) / (n - 1))
    half = t_quantile(n - 1) * sd / math.sqrt(n)
    return Summary(n, mean, sd, mean - half, mean + half, **middle)


def changes(values: dict[int, float], baseline: dict[int, float]) -> list[float]:
    """Each participant's value minus their own baseline value (participants with both only)."""
    return [value - baseline[pid] for pid, value in values.items() if pid in baseline]
