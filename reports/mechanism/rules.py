"""The published cut-offs the profile applies, as data: another study may pass its own tables to ``profile``.

Each cut-off reads one score of one instrument of the library (instruments/library/<code>/) and, when it holds,
places the finding ``level`` ("present" or "possible") for its domain. Sources:

- painDETECT: Freynhagen R, Baron R, Gockel U, Tölle TR. painDETECT: a new screening questionnaire to identify
  neuropathic components in patients with back pain. Curr Med Res Opin 2006;22:1911-20. (<=12 unlikely,
  13-18 ambiguous, >=19 likely.)
- DN4: Bouhassira D, et al. Comparison of pain syndromes associated with nervous or somatic lesions and
  development of a new neuropathic pain diagnostic questionnaire (DN4). Pain 2005;114:29-36. (total >=4 of 10;
  interview items >=3 of 7.)
- CSI: Neblett R, et al. The Central Sensitization Inventory (CSI): establishing clinically significant values for
  identifying central sensitivity syndromes in an outpatient chronic pain sample. J Pain 2013;14:438-45. (>=40.)
- PCS: Sullivan MJL. The Pain Catastrophizing Scale: user manual. McGill University, 2009. (total >=30.)
- PHQ-9: Kroenke K, Spitzer RL, Williams JBW. The PHQ-9. J Gen Intern Med 2001;16:606-13. (>=10.)
- GAD-7: Spitzer RL, Kroenke K, Williams JBW, Löwe B. A brief measure for assessing generalized anxiety disorder.
  Arch Intern Med 2006;166:1092-7. (>=10.)
- STarT Back: Hill JC, et al. A primary care back pain screening tool. Arthritis Rheum 2008;59:632-41. (high risk:
  total >=4 and psychosocial subscale >=4, the scorer's ``band`` "high".)
- SSD-12: Toussaint A, et al. Detecting DSM-5 somatic symptom disorder: criterion validity of the SSD-12.
  Psychol Med 2020;50:324-33. (>=23.)
- ISI: Bastien CH, Vallières A, Morin CM. Validation of the Insomnia Severity Index. Sleep Med 2001;2:297-307.
  (>=15: clinical insomnia, moderate or severe.)
- PSQI: Buysse DJ, et al. The Pittsburgh Sleep Quality Index. Psychiatry Res 1989;28:193-213. (global >5.)
- Pain present (for the nociceptive indicator): BPI-SF average pain >=1 of 10 (Cleeland CS. The Brief Pain
  Inventory user guide, 2009), or VAS >0 mm.
- Nociplastic pain: Kosek E, et al. Chronic nociplastic pain affecting the musculoskeletal system: clinical
  criteria and grading system. Pain 2021;162:2629-34. The questionnaire data here allow only its hypersensitivity
  component (CSI); the examination criteria are not in the data, so the finding is "possible", never "probable".
"""

from __future__ import annotations

from dataclasses import dataclass

NOCICEPTIVE = "nociceptive"
NEUROPATHIC = "neuropathic"
NOCIPLASTIC = "nociplastic"
PAIN = "pain"  # whether the participant reports pain at all (read by the nociceptive indicator)

OPS = {
    ">=": lambda value, limit: value >= limit,
    ">": lambda value, limit: value > limit,
    "==": lambda value, limit: value == limit,
}


@dataclass(frozen=True)
class Cutoff:
    domain: str  # an indicator (neuropathic, nociplastic, pain) or a driver code
    instrument: str
    score: str
    op: str  # one of OPS
    value: float | str
    level: str  # the finding when it holds: "present" or "possible"
    source: str  # short citation (the full reference is in this module's docstring)

    @property
    def rule(self) -> str:
        return f"{self.instrument.upper()} {self.score} {self.op} {self.value}"

    def holds(self, observed) -> bool:
        return OPS[self.op](observed, self.value)


INDICATORS: tuple[Cutoff, ...] = (
    Cutoff(NEUROPATHIC, "paindetect", "total", ">=", 19, "present", "Freynhagen 2006"),
    Cutoff(NEUROPATHIC, "paindetect", "total", ">=", 13, "possible", "Freynhagen 2006"),
    Cutoff(NEUROPATHIC, "dn4", "total", ">=", 4, "present", "Bouhassira 2005"),
    Cutoff(NEUROPATHIC, "dn4", "interview", ">=", 3, "possible", "Bouhassira 2005"),
    Cutoff(NOCIPLASTIC, "csi", "total", ">=", 40, "possible", "Neblett 2013; Kosek 2021"),
    Cutoff(PAIN, "bpi", "average", ">=", 1, "present", "Cleeland 2009"),
    Cutoff(PAIN, "vas", "total", ">", 0, "present", "VAS 0-100 mm"),
)

DRIVERS: tuple[Cutoff, ...] = (
    Cutoff("catastrophising", "pcs", "total", ">=", 30, "present", "Sullivan 2009"),
    Cutoff("depression", "phq9", "total", ">=", 10, "present", "Kroenke 2001"),
    Cutoff("anxiety", "gad7", "total", ">=", 10, "present", "Spitzer 2006"),
    Cutoff("psychosocial_risk", "startback", "band", "==", "high", "present", "Hill 2008"),
    Cutoff("somatic_symptoms", "ssd12", "total", ">=", 23, "present", "Toussaint 2020"),
    Cutoff("insomnia", "isi", "total", ">=", 15, "present", "Bastien 2001"),
    Cutoff("poor_sleep", "psqi", "total", ">", 5, "present", "Buysse 1989"),
)
