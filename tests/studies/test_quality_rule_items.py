"""Loading refuses a data-quality rule that names an item or score its instrument does not have.

Such a rule parses (the parser knows instrument codes, not their items) but would never fire, so
``protocol_load`` checks it against the instrument library and reports it like any other file problem.
"""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from studies.models import ProtocolVersion, Study
from studies.protocol import ProtocolError
from studies.protocol.quality import InstrumentFields, check_quality_fields
from studies.selectors import parse_protocol_text
from tests.protocol_text import protocol_head
from tests.studies.test_protocol_load import counts
from workflows.services import protocol_apply

ROOT = Path(__file__).resolve().parents[2]

VISITS = """visits:
  - code: baseline
    label: {en: "Baseline", zh: "基线"}
    anchor: enrolment
    offset_days: 0
    window_before: 0
    window_after: 7
    activities:
      instruments: [bpi, demographics]
quality_rules:
"""
GOOD_RULES = """  - {code: bpi_worst_plausible, kind: range, instrument: bpi, item: bpi_3, max: 10,
     message: {en: "Worst pain above 10", zh: "最剧烈疼痛高于10"}}
  - {code: bpi_average_plausible, kind: range, instrument: bpi, score: average, max: 10,
     message: {en: "Average pain above 10", zh: "平均疼痛高于10"}}
  - {code: form_after_consent, kind: before, earlier: consent,
     later: {instrument: demographics, item: demographics_visit_date},
     message: {en: "Form dated before consent", zh: "表格日期早于知情同意"}}
"""
TYPO_ITEM = """  - {code: bpi_worst_plausible, kind: range, instrument: bpi, item: bpi_33, max: 10,
     message: {en: "Worst pain above 10", zh: "最剧烈疼痛高于10"}}
"""


def protocol(rules: str) -> str:
    return protocol_head() + VISITS + rules


def problems_of(text: str) -> list[tuple[str, str]]:
    with pytest.raises(ProtocolError) as refused:
        protocol_apply(text=text, filename="alpha.yaml")
    return [(p.path, p.message) for p in refused.value.problems]


@pytest.mark.django_db
def test_rules_naming_real_items_and_scores_load():
    assert protocol_apply(text=protocol(GOOD_RULES), filename="alpha.yaml").status == "created"


@pytest.mark.django_db
def test_a_misspelt_item_is_refused_with_its_key_path_and_a_suggestion_and_nothing_is_saved():
    before = counts()

    problems = problems_of(protocol(TYPO_ITEM))

    assert problems == [("quality_rules[0].item", "instrument 'bpi' has no item 'bpi_33' (did you mean 'bpi_3'?)")]
    assert counts() == before


@pytest.mark.django_db
def test_every_misnamed_item_and_score_is_reported_at_once():
    rules = GOOD_RULES.replace("score: average", "score: averge").replace(
        "item: demographics_visit_date", "item: demographics_visitdate"
    ) + TYPO_ITEM.replace("bpi_worst_plausible", "second_rule")

    problems = problems_of(protocol(rules))

    assert problems == [
        ("quality_rules[1].score", "instrument 'bpi' has no score 'averge' (did you mean 'average'?)"),
        (
            "quality_rules[2].later.item",
            "instrument 'demographics' has no item 'demographics_visitdate' (did you mean 'demographics_visit_date'?)",
        ),
        ("quality_rules[3].item", "instrument 'bpi' has no item 'bpi_33' (did you mean 'bpi_3'?)"),
    ]
    assert not Study.objects.exists()


@pytest.mark.django_db
def test_the_upload_page_shows_the_problem_and_loads_nothing(client, make_persona, world):
    client.force_login(make_persona("admin"))  # the study's administrator, who may load its protocol
    before = counts()
    upload = SimpleUploadedFile("alpha.yaml", protocol(TYPO_ITEM).encode("utf-8"))

    response = client.post(reverse("workflows:protocol-upload", args=[world.study.code]), {"file": upload})

    assert response.status_code == 400
    problems = response.content.decode().split('id="protocol-problems"')[1].split("</div>")[0]
    assert '<code class="problem-path">quality_rules[0].item</code>' in problems
    assert "instrument &#x27;bpi&#x27; has no item &#x27;bpi_33&#x27; (did you mean &#x27;bpi_3&#x27;?)" in problems
    assert "Nothing was changed" in problems
    assert counts() == before
    assert not ProtocolVersion.objects.filter(study=world.study).exists()


def test_the_parser_still_reads_such_a_file_so_stored_versions_keep_reading():
    # The check belongs to loading: a version stored before an instrument changed must still parse.
    assert parse_protocol_text(protocol(TYPO_ITEM), filename="alpha.yaml").quality_rules[0].item == "bpi_33"


def test_an_instrument_the_check_is_not_given_is_left_to_the_parser():
    rules = parse_protocol_text(protocol(TYPO_ITEM), filename="alpha.yaml").quality_rules
    vas_only = {"vas": InstrumentFields(items=frozenset({"vas_1"}), scores=frozenset())}

    assert check_quality_fields(rules, vas_only, filename="alpha.yaml") == []


def test_a_name_with_nothing_close_gets_no_guess():
    rules = parse_protocol_text(protocol(TYPO_ITEM.replace("bpi_33", "worst")), filename="alpha.yaml").quality_rules
    fields = {"bpi": InstrumentFields(items=frozenset({"bpi_3"}), scores=frozenset({"average"}))}

    problems = check_quality_fields(rules, fields, filename="alpha.yaml")

    assert [(p.file, p.path, p.message) for p in problems] == [
        ("alpha.yaml", "quality_rules[0].item", "instrument 'bpi' has no item 'worst'")
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["lbpb.yaml", "admsc_dlbp.yaml"])
def test_the_real_protocol_files_still_load(name):
    text = (ROOT / "protocols" / name).read_text(encoding="utf-8")

    result = protocol_apply(text=text, filename=name)

    assert result.status == "created"
    assert parse_protocol_text(text, filename=name).quality_rules  # the check had rules to look at
