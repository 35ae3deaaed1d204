"""Sleep architecture from a hypnogram, with the AASM reporting definitions.

Source: AASM Manual for the Scoring of Sleep and Associated Events (Iber et al. 2007; Berry et al.
v2.6, 2020), "Parameters to be reported" for PSG:
- total recording time (TRT): lights out to lights on. The hypnogram is taken to span exactly that,
  so time in bed = TRT = number of epochs x epoch length;
- total sleep time (TST): minutes of N1 + N2 + N3 + R;
- sleep latency (SOL): lights out to the first epoch of any sleep stage;
- stage R latency: sleep onset to the first epoch of R;
- wake after sleep onset (WASO): stage W from sleep onset to lights on. The AASM counts to lights on;
  YASA and some vendors stop at the last sleep epoch, which gives a smaller value (see docs);
- sleep efficiency: TST / TRT x 100; each stage in minutes and as a percentage of TST.
Unscored epochs ("?") count in TRT only.
"""

from dataclasses import dataclass, field

from imaging.readers.hypnogram import Hypnogram
from imaging.readers.provenance import software_versions

SLEEP = ("N1", "N2", "N3", "R")


@dataclass(frozen=True)
class SleepMeasures:
    time_in_bed_min: float
    total_sleep_time_min: float
    sleep_efficiency_pct: float | None
    sleep_onset_latency_min: float | None
    waso_min: float | None
    rem_latency_min: float | None
    stage_min: dict[str, float]
    stage_pct_of_tst: dict[str, float | None]
    unscored_min: float
    estimate: bool
    software: dict[str, str] = field(default_factory=dict, compare=False)


def sleep_measures(hypnogram: Hypnogram | list[str] | tuple[str, ...], epoch_s: float = 30) -> SleepMeasures:
    """Latencies are None when the night holds no sleep (or no R); efficiency is None for an empty record."""
    stages = tuple(hypnogram.stages if isinstance(hypnogram, Hypnogram) else hypnogram)
    if isinstance(hypnogram, Hypnogram):
        epoch_s = hypnogram.epoch_s
    minutes = epoch_s / 60
    onset = next((i for i, stage in enumerate(stages) if stage in SLEEP), None)
    first_rem = next((i for i, stage in enumerate(stages) if stage == "R"), None)
    stage_min = {stage: stages.count(stage) * minutes for stage in ("W", *SLEEP)}
    tst = sum(stage_min[stage] for stage in SLEEP)
    trt = len(stages) * minutes
    return SleepMeasures(
        time_in_bed_min=trt,
        total_sleep_time_min=tst,
        sleep_efficiency_pct=100 * tst / trt if trt else None,
        sleep_onset_latency_min=onset * minutes if onset is not None else None,
        waso_min=stages[onset:].count("W") * minutes if onset is not None else None,
        rem_latency_min=(first_rem - onset) * minutes if first_rem is not None and onset is not None else None,
        stage_min=stage_min,
        stage_pct_of_tst={stage: (100 * stage_min[stage] / tst if tst else None) for stage in SLEEP},
        unscored_min=stages.count("?") * minutes,
        estimate=isinstance(hypnogram, Hypnogram) and hypnogram.estimate,
        software=software_versions(),
    )
