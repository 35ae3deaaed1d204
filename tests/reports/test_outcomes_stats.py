"""The outcome statistics (reports.outcomes_stats) and chart geometry (reports.dashboard_charts), worked by hand."""

import math

import pytest

from reports import dashboard_charts as charts
from reports.outcomes_stats import changes, summarise


def test_a_summary_worked_by_hand():
    # 2, 4, 4, 4, 5, 5, 7, 9: mean 5; squares of deviations sum to 32, sample SD sqrt(32/7) = 2.138;
    # t(0.975, 7) = 2.365, half-width 2.365 * 2.138 / sqrt(8) = 1.788; quartiles (type 7): 4, 4.5, 5.5.
    s = summarise([2, 4, 4, 4, 5, 5, 7, 9])
    assert s.n == 8 and s.mean == 5
    assert s.sd == pytest.approx(math.sqrt(32 / 7))
    assert (s.ci_low, s.ci_high) == (pytest.approx(5 - 1.7875, abs=1e-3), pytest.approx(5 + 1.7875, abs=1e-3))
    assert (s.q1, s.median, s.q3) == (4, 4.5, 5.5)


def test_one_value_has_no_sd_or_ci_and_none_has_nothing():
    one = summarise([3])
    assert (one.n, one.mean, one.sd, one.ci_low, one.median) == (1, 3, None, None, 3)
    assert summarise([]).n == 0 and summarise([]).mean is None


def test_beyond_thirty_degrees_of_freedom_the_normal_quantile_is_used():
    s = summarise([0, 2] * 20)  # n 40, mean 1, SD sqrt(40/39)
    assert s.ci_high - s.mean == pytest.approx(1.96 * math.sqrt(40 / 39) / math.sqrt(40))


def test_change_from_baseline_pairs_each_participant_with_their_own_baseline():
    assert sorted(changes({1: 4.0, 2: 6.0, 3: 1.0}, {1: 6.0, 2: 6.0})) == [-2.0, 0.0]  # 3 has no baseline


def test_bars_scale_to_the_largest_value_and_draw_one_mark_per_row():
    chart = charts.bar_chart([("a", 10), ("b", 5), ("c", 0)])
    widths = [m.width for m in chart.marks]
    assert len(chart.marks) == 3 and widths[0] == 2 * widths[1] and widths[2] == 0


def test_a_heat_map_skips_cells_with_nothing_expected_and_shades_by_share():
    chart = charts.heat_map(["forms"], ["v1", "v2", "v3"], [[(0, 4), None, (4, 4)]])
    assert [(m.value, m.level) for m in chart.marks] == [("0/4", 0), ("4/4", 4)]


def test_the_target_enters_the_scale_of_the_enrolment_line():
    chart = charts.line_chart([("2026-01", 5), ("2026-02", 10)], target=20)
    assert chart.target_y < min(m.y for m in chart.marks)  # the target is above the highest point
