"""The study dashboard: every section a table (its chart drawn from the same rows, its CSV the same rows).

Each section is one grouped query over the participants the user may see (participants_for_user, then the
dashboard's filters), passed to the others as a subquery, so the page costs the same number of queries whatever
the number of participants. Arms appear only for a role that ``can_see_arms``: for the others the arm filter is
ignored and no arm is grouped or shown. Expected counts come from the protocol's schedule (visits due by today).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from core.i18n import in_viewer_language, text_for
from imaging.models import DataFile, Kind
from instruments.models import Response
from instruments.registry import get_instrument
from participants.models import Consent, Screening, Visit
from participants.selectors import participants_for_user
from queries.models import Query
from queries.selectors import OPEN_STATUSES
from safety.models import AdverseEvent, SaeReport
from studies.selectors import with_respondent

from . import dashboard_charts as charts

AGE_BANDS = ((0, 7), (8, 30), (31, 90), (91, None))  # open queries, days since raised
# A protocol acquisition type -> the kind of file that brings it (imaging.models.Kind).
ACQUISITION_KINDS = {"mri": Kind.DICOM, "psg": Kind.PSG, "emg": Kind.EMG, "hrv": Kind.HRV}


@dataclass(frozen=True)
class Filters:
    site: str = ""
    arm: str = ""  # ignored unless the caller may see arms
    visit: str = ""
    start: date | None = None  # enrolment date range
    end: date | None = None

    def as_query(self) -> str:
        """The applied filters as a query string (for the CSV links: a refused or ignored value is not repeated)."""
        applied = {name: value for name, value in vars(self).items() if value}
        return urlencode({name: str(value) for name, value in applied.items()})


@dataclass
class Table:
    key: str
    title: str
    header: list[str]
    rows: list[list]
    chart: charts.Chart | None = None
    note: str = ""


@dataclass
class Dashboard:
    tables: list[Table] = field(default_factory=list)
    query: str = ""  # the applied filters, for the CSV links

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables if t.key == key), None)


def dashboard_participants(user, *, study, filters: Filters):
    people = participants_for_user(user).filter(study=study)
    if filters.site:
        people = people.filter(site__code=filters.site)
    if filters.arm:
        people = people.filter(arm_code=filters.arm)
    if filters.start:
        people = people.filter(enrolled_on__gte=filters.start)
    if filters.end:
        people = people.filter(enrolled_on__lte=filters.end)
    return people.order_by()


def study_dashboard(user, *, study, protocol, filters: Filters, arms: dict, today: date) -> Dashboard:
    """Every section of the dashboard; ``arms`` maps arm codes to names for a role that may see arms, else empty."""
    people = dashboard_participants(user, study=study, filters=filters)
    ids = people.values("pk")
    visits = [v for v in (protocol.visits if protocol else ()) if not filters.visit or v.code == filters.visit]
    target = protocol.study.target_enrolment if protocol else None
    tables = [
        enrolment_over_time(people, target=target),
        enrolment_by_site(people, target=target),
    ]
    if arms:
        tables.append(enrolment_by_arm(people, arms))
    tables += [
        screening_funnel(people),
        visit_completion(ids, visits, today=today),
    ]
    due = _due_visits(ids, visits, today=today, by_arm=bool(arms))
    forms = _complete_forms(ids, visits)
    tables += [
        completeness_matrix(ids, visits, due, forms),
        form_completeness(visits, due, forms, study_code=study.code),
        open_queries(ids, today=today),
        safety_summary(ids),
        acquisitions(ids, visits),
    ]
    return Dashboard(tables)


# --- enrolment --------------------------------------------------------------------------------------------------


def enrolment_over_time(people, *, target: int | None) -> Table:
    months = (
        people.exclude(enrolled_on=None)
        .annotate(month=TruncMonth("enrolled_on"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    rows, total = [], 0
    for row in months:
        total += row["n"]
        rows.append([row["month"].strftime("%Y-%m"), row["n"], total, target if target else None])
    note = _("Target: %(target)s participants.") % {"target": target} if target else _("The protocol gives no target.")
    return Table(
        "enrolment",
        _("Enrolment over time"),
        [_("Month"), _("Enrolled"), _("Cumulative"), _("Enrolment target")],
        rows,
        charts.line_chart([(r[0], r[2]) for r in rows], target=target),
        note,
    )


def enrolment_by_site(people, *, target: int | None) -> Table:
    grouped = people.exclude(enrolled_on=None).values_list("site__code", "site__name", "site__name_zh")
    rows = [
        [code, in_viewer_language(name, name_zh), n]
        for code, name, name_zh, n in grouped.annotate(n=Count("pk")).order_by("site__code")
    ]
    return Table(
        "enrolment-by-site",
        _("Enrolment by site"),
        [_("Site"), _("Name"), _("Enrolled")],
        rows,
        charts.bar_chart([(r[0], r[2]) for r in rows]),
    )


def enrolment_by_arm(people, arms: dict) -> Table:
    found = dict(people.exclude(enrolled_on=None).exclude(arm_code="").values_list("arm_code").annotate(n=Count("pk")))
    rows = [[code, name, found.get(code, 0)] for code, name in arms.items()]
    return Table(
        "enrolment-by-arm",
        _("Enrolment by arm"),
        [_("Arm"), _("Name"), _("Enrolled")],
        rows,
        charts.bar_chart([(r[1], r[2]) for r in rows]),
    )


def screening_funnel(people) -> Table:
    flags = people.annotate(
        has_screening=Exists(Screening.objects.filter(participant=OuterRef("pk"))),
        was_eligible=Exists(Screening.objects.filter(participant=OuterRef("pk"), eligible=True)),
        has_consent=Exists(Consent.objects.filter(participant=OuterRef("pk"))),
    )
    counts = flags.aggregate(
        screened=Count("pk", filter=Q(has_screening=True)),
        eligible=Count("pk", filter=Q(was_eligible=True)),
        consented=Count("pk", filter=Q(has_consent=True)),
        enrolled=Count("pk", filter=Q(enrolled_on__isnull=False)),
        withdrawn=Count("pk", filter=Q(withdrawn_on__isnull=False)),
    )
    labels = {
        "screened": _("Screened"),
        "eligible": _("Eligible"),
        "consented": _("Consented"),
        "enrolled": _("Enrolled"),
        "withdrawn": _("Withdrawn"),
    }
    rows = [[labels[k], counts[k]] for k in labels]
    return Table("funnel", _("Screening funnel"), [_("Step"), _("Participants")], rows, charts.bar_chart(rows))


# --- visits and completeness ------------------------------------------------------------------------------------


def visit_completion(ids, visits, *, today: date) -> Table:
    codes = [v.code for v in visits]
    grouped = {
        r["visit_code"]: r
        for r in Visit.objects.filter(participant_id__in=ids, visit_code__in=codes, cancelled=False)
        .values("visit_code")
        .annotate(
            n_due=Count("pk", filter=Q(window_start__lte=today)),
            n_completed=Count("pk", filter=Q(completed_on__isnull=False)),
            n_missed=Count("pk", filter=Q(missed=True)),
            n_overdue=Count("pk", filter=Q(completed_on__isnull=True, missed=False, window_end__lt=today)),
        )
        .order_by()
    }
    rows = []
    for visit in visits:
        r = grouped.get(visit.code, {})
        rows.append(
            [
                visit.code,
                text_for(visit.label),
                r.get("n_due", 0),
                r.get("n_completed", 0),
                r.get("n_missed", 0),
                r.get("n_overdue", 0),
            ]
        )
    return Table(
        "visits",
        _("Visit completion"),
        [_("Visit"), _("Label"), _("Due"), _("Completed"), _("Missed"), _("Overdue")],
        rows,
        charts.bar_chart([(r[1], r[5]) for r in rows]),
        _("The chart shows the overdue visits: window closed, neither completed nor recorded as missed."),
    )


def _due_visits(ids, visits, *, today: date, by_arm: bool) -> dict[tuple[str, str | None], int]:
    """(visit code, arm code) -> first occurrences whose window has opened and that were not cancelled or missed.

    Without ``by_arm`` (a role that may not see arms) the arm is None: every activity counts as expected for every
    participant, the union schedule the participant page shows such a role, so no count is split by arm."""
    rows = (
        Visit.objects.filter(
            participant_id__in=ids, visit_code__in=[v.code for v in visits], sequence=1, cancelled=False, missed=False
        )
        .filter(window_start__lte=today)
        .values_list("visit_code", "participant__arm_code")
        .annotate(n=Count("pk"))
        .order_by()
    )
    found: dict[tuple[str, str | None], int] = {}
    for code, arm, n in rows:
        key = (code, arm if by_arm else None)
        found[key] = found.get(key, 0) + n
    return found


def _expected(due: dict, visit_code: str, activity) -> int:
    """Due visits of ``visit_code`` in the arms the activity is for (every arm when it names none)."""
    return sum(
        n
        for (code, arm), n in due.items()
        if code == visit_code and (not activity.arms or arm is None or arm in activity.arms)
    )


def _visit_name(visit) -> str:
    return text_for(visit.label) or visit.code


def _form_names(visits, study_code: str) -> dict[str, str]:
    """Activity key -> the instrument's short title in the viewer's language, with who answers it when that is not
    the participant (the key when the definition cannot be read)."""
    names = {}
    for activity in (a for v in visits for a in v.activities if a.kind == "instrument"):
        if activity.key not in names:
            try:
                instrument = get_instrument(activity.code, activity.version, study=study_code)
            except KeyError:
                names[activity.key] = activity.key
                continue
            names[activity.key] = with_respondent(text_for(instrument.short_title or instrument.title), activity)
    return names


def _scored(code: str) -> bool:
    try:
        return bool(get_instrument(code).scores)
    except KeyError:
        return False


DATA_TYPES = (
    ("forms", "instrument", None),
    ("scored", "instrument", None),
    ("mri", "acquisition", "mri"),
    ("psg", "acquisition", "psg"),
    ("emg", "acquisition", "emg"),
    ("hrv", "acquisition", "hrv"),
)


def _complete_forms(ids, visits) -> dict:
    """("forms" or "scored", visit code, activity key) -> complete first instances, one query shared by the
    completeness matrix and the form completeness. A complete form of an instrument with scores is scored (the
    store function scores it on completion), so "scored" needs no second look at the responses."""
    found: dict = {}
    responses = Response.objects.filter(
        participant_id__in=ids, visit_code__in=[v.code for v in visits], instance=1, status="complete"
    )
    for code, key, instrument, n in (
        responses.values_list("visit_code", "activity_key", "instrument_code").annotate(n=Count("pk")).order_by()
    ):
        found[("forms", code, key)] = found.get(("forms", code, key), 0) + n
        if _scored(instrument):
            found[("scored", code, key)] = found.get(("scored", code, key), 0) + n
    return found


def _received(ids, visits, forms: dict) -> dict:
    """(data type, visit code) -> received: complete forms, scored forms, MRI series, PSG nights, EMG/HRV sessions."""
    codes = [v.code for v in visits]
    found: dict = dict(forms)
    files = DataFile.objects.filter(participant_id__in=ids, visit_code__in=codes)
    for kind, code, n in (
        files.values_list("kind", "visit_code").annotate(n=Count("participant", distinct=True)).order_by()
    ):
        found[(kind, code)] = n
    series = files.filter(kind="dicom").exclude(series=None)
    for code, n in series.values_list("visit_code").annotate(n=Count("series", distinct=True)).order_by():
        found[("mri", code)] = n
    return found


def _cell(data_type: str, visit, due: dict, received: dict) -> tuple[int, int] | None:
    expected = got = 0
    for activity in visit.activities:
        if data_type in ("forms", "scored") and activity.kind == "instrument":
            if data_type == "scored" and not _scored(activity.code):
                continue
            n = _expected(due, visit.code, activity)
            expected += n
            got += min(received.get((data_type, visit.code, activity.key), 0), n)
        elif activity.kind == "acquisition" and activity.code == data_type:
            n = _expected(due, visit.code, activity)
            expected += n * (len(activity.series) if data_type == "mri" and activity.series else 1)
            got = received.get(("mri" if data_type == "mri" else ACQUISITION_KINDS[data_type], visit.code), 0)
    return (min(got, expected), expected) if expected else None


def completeness_matrix(ids, visits, due: dict, forms: dict) -> Table:
    received = _received(ids, visits, forms)
    labels = {
        "forms": _("Forms"),
        "scored": _("Scored scales"),
        "mri": _("MRI series"),
        "psg": _("PSG night"),
        "emg": _("EMG session"),
        "hrv": _("HRV recording"),
    }
    grid = [[_cell(dt, v, due, received) for v in visits] for dt, _kind, _code in DATA_TYPES]
    rows = []
    for (dt, _kind, _code), cells in zip(DATA_TYPES, grid, strict=True):
        for visit, cell in zip(visits, cells, strict=True):
            if cell is not None:
                rows.append([labels[dt], _visit_name(visit), cell[1], cell[0], round(100 * cell[0] / cell[1], 1)])
    return Table(
        "completeness",
        _("Completeness across data types"),
        [_("Data type"), _("Visit"), _("Expected"), _("Received"), _("Percent")],
        rows,
        charts.heat_map([labels[dt] for dt, _k, _c in DATA_TYPES], [_visit_name(v) for v in visits], grid),
        _("Expected: visits due by today (window opened, not cancelled or missed) times what the protocol lists."),
    )


def form_completeness(visits, due: dict, forms: dict, *, study_code: str) -> Table:
    counts = {(code, key): n for (kind, code, key), n in forms.items() if kind == "forms"}
    keys = list(dict.fromkeys(a.key for v in visits for a in v.activities if a.kind == "instrument"))
    grid = []
    for key in keys:
        row = []
        for visit in visits:
            activity = next((a for a in visit.activities if a.key == key and a.kind == "instrument"), None)
            expected = _expected(due, visit.code, activity) if activity else 0
            row.append((min(counts.get((visit.code, key), 0), expected), expected) if expected else None)
        grid.append(row)
    names = _form_names(visits, study_code)
    rows = [
        [names[key], _visit_name(visit), cell[1], cell[0], round(100 * cell[0] / cell[1], 1)]
        for key, cells in zip(keys, grid, strict=True)
        for visit, cell in zip(visits, cells, strict=True)
        if cell is not None
    ]
    return Table(
        "forms",
        _("Form completeness by instrument and visit"),
        [_("Form"), _("Visit"), _("Expected"), _("Complete"), _("Percent")],
        rows,
        charts.heat_map([names[key] for key in keys], [_visit_name(v) for v in visits], grid),
    )


# --- queries, safety, acquisitions ------------------------------------------------------------------------------


def _age_band_label(low: int, high: int | None) -> str:
    return (
        _("%(low)s–%(high)s days") % {"low": low, "high": high}
        if high is not None
        else _("over %(low)s days") % {"low": low - 1}
    )


def open_queries(ids, *, today: date) -> Table:
    now = timezone.now()
    whens = [
        When(raised_at__gt=now - timedelta(days=high + 1), then=Value(i))
        for i, (_low, high) in enumerate(AGE_BANDS)
        if high is not None
    ]
    band = Case(*whens, default=Value(len(AGE_BANDS) - 1), output_field=IntegerField())
    grouped = (
        Query.objects.filter(participant_id__in=ids, status__in=OPEN_STATUSES)
        .annotate(band=band)
        .values_list("site__code", "band")
        .annotate(n=Count("pk"))
        .order_by()
    )
    found = {(site, b): n for site, b, n in grouped}
    sites = sorted({site for site, _b in found})
    rows = [[site] + [found.get((site, i), 0) for i in range(len(AGE_BANDS))] for site in sites]
    totals = [(_age_band_label(*b), sum(found.get((s, i), 0) for s in sites)) for i, b in enumerate(AGE_BANDS)]
    return Table(
        "queries",
        _("Open queries by age and site"),
        [_("Site")] + [_age_band_label(*b) for b in AGE_BANDS],
        rows,
        charts.bar_chart(totals),
        _("The chart shows every site together, by the query's age."),
    )


def safety_summary(ids) -> Table:
    events = AdverseEvent.objects.filter(participant_id__in=ids)
    by_site = (
        events.values_list("participant__site__code")
        .annotate(total=Count("pk"), serious=Count("pk", filter=Q(serious=True)))
        .order_by("participant__site__code")
    )
    now = timezone.now()
    clocks = dict(
        SaeReport.objects.filter(adverse_event__participant_id__in=ids, reported_at__isnull=True)
        .values_list("adverse_event__participant__site__code")
        .annotate(n=Count("pk"))
        .order_by()
    )
    late = dict(
        SaeReport.objects.filter(adverse_event__participant_id__in=ids, reported_at__isnull=True, due_at__lt=now)
        .values_list("adverse_event__participant__site__code")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows = [[site, total, serious, clocks.get(site, 0), late.get(site, 0)] for site, total, serious in by_site]
    return Table(
        "safety",
        _("Adverse events and SAE reporting clocks"),
        [_("Site"), _("Adverse events"), _("Serious"), _("Open reporting clocks"), _("Past due")],
        rows,
        charts.bar_chart(
            [(f"{r[0]} · " + _("serious"), r[2]) for r in rows]
            + [(f"{r[0]} · " + _("open clocks"), r[3]) for r in rows]
        ),
    )


def acquisitions(ids, visits) -> Table:
    codes = [v.code for v in visits]
    labels = dict(Kind.choices)
    rows = [
        [str(labels.get(kind, kind)), code, n]
        for kind, code, n in DataFile.objects.filter(participant_id__in=ids, visit_code__in=codes)
        .values_list("kind", "visit_code")
        .annotate(n=Count("pk"))
        .order_by("kind", "visit_code")
    ]
    return Table(
        "acquisitions",
        _("Acquisitions by modality and visit"),
        [_("Modality"), _("Visit"), _("Files")],
        rows,
        charts.bar_chart([(f"{r[0]} · {r[1]}", r[2]) for r in rows]),
    )
