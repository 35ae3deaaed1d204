"""Outcomes over visits: for each outcome score, per visit and group, n, mean, SD, 95 % CI, median, IQR and the
change from baseline (reports.outcomes_stats), with a chart of the means and their CIs.

Groups are the arms for a role that ``can_see_arms`` and one pooled group ("All") for everyone else: a blinded
role never gets an arm, in the page or in the CSV. One query per outcome score, whatever the number of participants.
The outcomes are the library's pain, function and driver scores below, those the protocol schedules; the first
visit that schedules an outcome is its baseline. Only the participant's own answers count (an activity with another
respondent, such as a family member's PHQ-9, is left out).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.i18n import text_for
from instruments.models import Response

from . import dashboard_charts as charts
from .dashboard import Filters, dashboard_participants
from .outcomes_stats import Summary, changes, summarise

# (instrument, score, label) in the order the page shows them.
OUTCOMES = (
    ("bpi", "severity", gettext_lazy("BPI-SF pain severity")),
    ("bpi", "interference", gettext_lazy("BPI-SF pain interference")),
    ("vas", "total", gettext_lazy("Pain VAS (mm)")),
    ("odi", "total", gettext_lazy("Oswestry Disability Index (%)")),
    ("pcs", "total", gettext_lazy("Pain Catastrophizing Scale")),
    ("psqi", "total", gettext_lazy("PSQI global score")),
    ("isi", "total", gettext_lazy("Insomnia Severity Index")),
    ("phq9", "total", gettext_lazy("PHQ-9")),
    ("gad7", "total", gettext_lazy("GAD-7")),
)
POOLED = ""


@dataclass
class Line:
    visit: str
    visit_label: str
    group: str
    summary: Summary
    change: Summary


@dataclass
class Outcome:
    key: str
    title: str
    baseline: str
    lines: list[Line] = field(default_factory=list)
    chart: charts.Chart | None = None


@dataclass
class OutcomesReport:
    outcomes: list[Outcome]
    groups: dict[str, str]
    header: list[str] = field(default_factory=list)
    query: str = ""  # the applied filters, for the CSV link

    @property
    def csv_rows(self) -> list[list]:
        return [
            [
                o.key,
                line.visit,
                line.group,
                *_numbers(line.summary),
                line.change.n,
                _round(line.change.mean),
                _round(line.change.sd),
            ]
            for o in self.outcomes
            for line in o.lines
        ]


def _round(value):
    return None if value is None else round(value, 3)


def _numbers(s: Summary) -> list:
    return [s.n] + [_round(v) for v in (s.mean, s.sd, s.ci_low, s.ci_high, s.median, s.q1, s.q3)]


def _scheduled(protocol, code: str) -> tuple[list, set[str]]:
    """The visits that schedule ``code`` for the participant themselves, and those activities' keys."""
    visits, keys = [], set()
    for visit in protocol.visits:
        mine = [a for a in visit.activities if a.kind == "instrument" and a.code == code and a.respondent != "family"]
        if mine and not visit.unscheduled:
            visits.append(visit)
            keys.update(a.key for a in mine)
    return visits, keys


def _values(ids, code: str, score: str, keys: set[str], arms: dict) -> dict[tuple[str, str], dict[int, float]]:
    """(visit code, group) -> participant id -> the score, for the first instance of each form."""
    rows = (
        Response.objects.filter(participant_id__in=ids, instrument_code=code, activity_key__in=keys, instance=1)
        .filter(status=Response.Status.COMPLETE)
        .values_list("participant_id", "visit_code", "participant__arm_code", f"scores__{score}")
        .order_by()
    )
    found: dict = {}
    for pid, visit_code, arm, value in rows:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            group = arm if arms and arm in arms else POOLED
            found.setdefault((visit_code, group), {})[pid] = float(value)
    return found


def _outcome(
    ids, protocol, code: str, score: str, title: str, groups: dict, arms: dict, visit_filter: str
) -> Outcome | None:
    visits, keys = _scheduled(protocol, code)
    if not visits:
        return None
    baseline = visits[0].code
    values = _values(ids, code, score, keys, arms)
    shown = [v for v in visits if not visit_filter or v.code == visit_filter]
    outcome = Outcome(f"{code}.{score}", str(title), text_for(visits[0].label) or baseline)
    for visit in shown:
        for group, name in groups.items():
            here = values.get((visit.code, group), {})
            base = values.get((baseline, group), {})
            outcome.lines.append(
                Line(
                    visit.code,
                    text_for(visit.label),
                    name,
                    summarise(list(here.values())),
                    summarise(changes(here, base)),
                )
            )
    outcome.chart = charts.means_chart(
        [text_for(v.label) or v.code for v in shown],
        {name: [_point(line) for line in outcome.lines if line.group == name] for name in groups.values()},
    )
    return outcome


def _point(line: Line):
    s = line.summary
    return (
        (s.mean, s.ci_low if s.ci_low is not None else s.mean, s.ci_high if s.ci_high is not None else s.mean)
        if s.n
        else None
    )


def study_outcomes(user, *, study, protocol, filters: Filters, arms: dict) -> OutcomesReport:
    groups = dict(arms) if arms else {POOLED: _("All participants")}
    header = [
        _("Outcome"), _("Visit"), _("Group"), "n", _("Mean"), _("SD"), _("95% CI low"), _("95% CI high"),
        _("Median"), _("Q1"), _("Q3"), _("Change n"), _("Change mean"), _("Change SD"),
    ]  # fmt: skip
    if protocol is None:
        return OutcomesReport([], groups, header)
    ids = dashboard_participants(user, study=study, filters=filters).values("pk")
    found = [
        _outcome(ids, protocol, code, score, title, groups, arms, filters.visit) for code, score, title in OUTCOMES
    ]
    return OutcomesReport([o for o in found if o is not None], groups, header)
