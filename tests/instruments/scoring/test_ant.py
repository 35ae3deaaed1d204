"""Attention Network Test network scores (Fan et al. 2002)."""

import pytest

from instruments.scoring import score

ANT = {
    "ant_no_cue_rt": 560,
    "ant_double_cue_rt": 513,
    "ant_center_cue_rt": 540,
    "ant_spatial_cue_rt": 489,
    "ant_congruent_rt": 521,
    "ant_incongruent_rt": 605,
}


def test_ant_gives_the_three_network_scores():
    assert score("ant", ANT) == {"alerting": 47, "orienting": 51, "executive": 84}


@pytest.mark.parametrize(
    "missing, network",
    [("ant_double_cue_rt", "alerting"), ("ant_spatial_cue_rt", "orienting"), ("ant_congruent_rt", "executive")],
)
def test_ant_leaves_only_the_network_with_a_missing_rt_unscored(missing, network):
    result = score("ant", {**ANT, missing: None})
    assert result[network] is None
    assert sum(value is None for value in result.values()) == 1
