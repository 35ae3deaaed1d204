"""Consensus Sleep Diary derived values: TIB = out of bed - into bed; TST = (final wake - lights off)
- SOL - WASO; SE = TST / TIB x 100 (Carney 2012). Clock times may cross midnight."""

import pytest

from instruments.scoring import score


def night(bed="23:00", lights="23:30", sol=20, awakenings=2, waso=30, final="06:30", out="07:00"):
    return {
        "sleep_diary_bedtime": bed,
        "sleep_diary_lights_off": lights,
        "sleep_diary_latency": sol,
        "sleep_diary_awakenings": awakenings,
        "sleep_diary_waso": waso,
        "sleep_diary_final_wake": final,
        "sleep_diary_out_of_bed": out,
    }


def derived(values):
    result = score("sleep_diary", values)
    return result["time_in_bed"], result["total_sleep_time"], result["sleep_efficiency"]


@pytest.mark.parametrize(
    "values, expected",
    [
        # typical night across midnight: TIB 480; TST 420 - 20 - 30 = 370; SE 370/480 = 77.08
        (night(), (480, 370, 77.1)),
        # night starting after midnight: TIB 450; TST 405 - 15 - 10 = 380; SE 84.44
        (
            night(bed="01:00", lights="01:15", sol=15, awakenings=1, waso=10, final="08:00", out="08:30"),
            (450, 380, 84.4),
        ),
        # best case, no midnight: no latency, no awakenings (WASO hidden, counts 0): SE 100
        (
            night(bed="21:00", lights="21:00", sol=0, awakenings=0, waso=None, final="23:00", out="23:00"),
            (120, 120, 100),
        ),
        # lights off long after getting into bed: TIB counts from into bed
        (
            night(bed="22:00", lights="00:00", sol=0, awakenings=0, waso=None, final="06:00", out="06:00"),
            (480, 360, 75),
        ),
    ],
)
def test_it_computes_time_in_bed_total_sleep_and_efficiency(values, expected):
    assert derived(values) == expected


def test_it_still_gives_time_in_bed_when_lights_off_is_missing():
    assert derived(night(lights=None)) == (480, None, None)


def test_it_gives_no_sleep_time_when_awakenings_were_reported_without_their_duration():
    assert derived(night(awakenings=2, waso=None)) == (480, None, None)


def test_it_gives_no_sleep_time_when_latency_and_waking_exceed_the_sleep_period():
    assert derived(night(sol=300, waso=200)) == (480, None, None)


def test_it_gives_no_efficiency_for_zero_time_in_bed():
    values = night(bed="23:00", lights="23:00", sol=0, awakenings=0, final="23:00", out="23:00")
    assert derived(values) == (0, 0, None)


@pytest.mark.parametrize("bad", [None, "25:00", "7:5x", "0700", 700])
def test_it_gives_nothing_when_the_time_into_bed_is_missing_or_malformed(bad):
    assert derived(night(bed=bad))[0] is None
