"""A study's own instrument definitions: stored rows, all-or-nothing uploads, per-study look-ups."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from instruments.definitions import DefinitionError
from instruments.models import DefinitionUpload, StudyInstrument
from instruments.registry import (
    StoredDefinitionError,
    get_instrument,
    instrument_codes,
    study_definitions,
)
from instruments.uploads import InstrumentFile, parse_languages, study_instruments_load

FILES = Path(__file__).resolve().parent.parent / "fixtures" / "study_files"
pytestmark = pytest.mark.django_db


def upload(name: str, *, rename: str | None = None, text: str | None = None) -> InstrumentFile:
    return InstrumentFile(rename or name, text if text is not None else (FILES / name).read_text(encoding="utf-8"))


def load(study: str, *files: InstrumentFile, languages=("en", "zh")):
    return study_instruments_load(study_code=study, files=list(files), languages=languages)


def problems_of(study: str, *files: InstrumentFile, languages=("en", "zh")) -> list[str]:
    with pytest.raises(DefinitionError) as refused:
        load(study, *files, languages=languages)
    return [str(problem) for problem in refused.value.problems]


def test_a_yaml_definition_is_stored_once_and_read_back_for_its_study():
    result = load("s1", upload("store_nrs.yaml"))
    assert [(row.code, row.version) for row in result.stored] == [("nrs", "1.0")]
    assert get_instrument("nrs", study="s1").item_codes() == ["nrs_now"]
    assert "nrs" in instrument_codes(study="s1") and "nrs" not in instrument_codes()
    with pytest.raises(KeyError):
        get_instrument("nrs")  # no study: the library only


def test_uploading_the_same_text_again_changes_nothing():
    load("s1", upload("store_nrs.yaml"))
    again = load("s1", upload("store_nrs.yaml"))
    assert again.stored == [] and again.unchanged == [("nrs", "1.0")]
    assert StudyInstrument.objects.count() == 1 and DefinitionUpload.objects.count() == 1


def test_a_stored_version_never_changes():
    load("s1", upload("store_nrs.yaml"))
    changed = (FILES / "store_nrs.yaml").read_text().replace("Pain right now", "Pain at this moment")
    problems = problems_of("s1", upload("store_nrs.yaml", text=changed))
    assert problems == [
        "store_nrs.yaml: code: 'nrs' version 1.0 is already stored for this study with another definition; "
        "a stored version never changes: give the changed definition a new version"
    ]
    assert "Pain right now" in get_instrument("nrs", study="s1").items[0].label.en
    load("s1", upload("store_nrs.yaml", text=changed.replace('version: "1.0"', 'version: "1.1"')))
    assert get_instrument("nrs", study="s1").version == "1.1"
    assert get_instrument("nrs", "1.0", study="s1").items[0].label.en.startswith("Pain right now")


def test_two_studies_each_have_their_own_nrs():
    load("s1", upload("store_nrs.yaml"))
    other = (FILES / "store_nrs.yaml").read_text().replace("nrs_now", "nrs_worst").replace("right now", "at worst")
    load("s2", upload("store_nrs.yaml", text=other))
    assert get_instrument("nrs", study="s1").item_codes() == ["nrs_now"]
    assert get_instrument("nrs", study="s2").item_codes() == ["nrs_worst"]
    with pytest.raises(KeyError):
        get_instrument("nrs", study="s3")


def test_a_library_code_is_refused():
    text = (FILES / "store_nrs.yaml").read_text().replace("code: nrs", "code: vas").replace("nrs_now", "vas_now")
    assert problems_of("s1", upload("vas.yaml", text=text)) == [
        "vas.yaml: code: 'vas' is an instrument of the built-in library: give the study's instrument its own code"
    ]
    assert not StudyInstrument.objects.exists()


def test_every_problem_of_every_file_is_listed_and_nothing_is_stored():
    problems = problems_of(
        "s1",
        upload("store_nrs.yaml"),
        upload("store_broken.yaml"),
        upload("store_redcap_broken.csv"),
        upload("store_walk.yaml"),
    )
    assert "store_broken.yaml: kind: must be one of scale, crf" in problems
    assert "store_broken.yaml: items[1].type: unknown type 'colour'" in " ".join(problems)
    assert "store_redcap_broken.csv: row 2 (pain_1): choice 'x, Bad' is not 'integer code, label'" in problems
    assert "store_redcap_broken.csv: row 4 (pain_2): variable 'pain_2' appears twice" in problems
    assert "store_walk.yaml: items[0].label.zh: missing zh label" in problems  # both languages asked
    assert not StudyInstrument.objects.exists() and not DefinitionUpload.objects.exists()


def test_labels_are_required_only_in_the_study_languages():
    load("s1", upload("store_walk.yaml"), languages=("en",))
    assert get_instrument("walk6", study="s1").title.en == "Six-minute walk test"


def test_a_redcap_dictionary_is_kept_once_and_yields_one_definition_per_form():
    result = load("s1", upload("store_redcap.csv"), languages=("en",))
    assert [(row.code, row.upload.format) for row in result.stored] == [
        ("recovery", "redcap"),
        ("grip", "redcap"),
    ]
    assert DefinitionUpload.objects.get().text.startswith("Variable / Field Name")
    assert get_instrument("grip", study="s1").item_codes() == ["grip_1", "grip_2"]
    grip = StudyInstrument.objects.get(code="grip")
    assert grip.format == "redcap" and "recovery_1" not in grip.definition  # that form's rows only


def test_a_missing_language_in_a_dictionary_is_reported_by_row():
    problems = problems_of("s1", upload("store_redcap.csv"), languages=("en", "zh"))
    assert any(p.startswith("store_redcap.csv: row 2 (recovery_1): missing zh label") for p in problems)
    assert "store_redcap.csv: row 7 (grip_2): missing zh label: Field Label" in problems
    assert not StudyInstrument.objects.exists()


def test_a_lookup_costs_one_small_query_once_parsed_and_library_codes_none():
    load("s1", upload("store_nrs.yaml"))
    get_instrument("nrs", study="s1")
    with CaptureQueriesContext(connection) as queries:
        get_instrument("nrs", study="s1")
    assert len(queries) == 1 and "definition" not in queries[0]["sql"].split("FROM")[0]
    with CaptureQueriesContext(connection) as queries:
        get_instrument("phq9", study="s1")
    assert len(queries) == 0


def test_a_corrupted_stored_row_fails_only_its_own_lookup_and_is_logged(caplog):
    load("s1", upload("store_nrs.yaml"))
    load("s2", upload("store_nrs.yaml"))
    StudyInstrument.objects.filter(study_code="s1").update(definition="code: [", checksum="corrupted")
    with pytest.raises(StoredDefinitionError) as broken:
        get_instrument("nrs", study="s1")
    assert broken.value.study == "s1" and "cannot read YAML" in broken.value.problems[0]
    assert "stored instrument definition s1/nrs/1.0 does not read" in caplog.text
    assert get_instrument("nrs", study="s2").code == "nrs"
    assert study_definitions("s1")[0][1] is None
    call_command("check")  # nothing stored can stop the server or a command


def test_languages_as_commands_and_forms_write_them():
    assert parse_languages("en,zh-Hans") == ("en", "zh")
    assert parse_languages("zh-Hans") == ("zh",)
    assert parse_languages("") == ("en", "zh")
    with pytest.raises(ValueError, match="fr"):
        parse_languages("en,fr")


def test_the_same_definition_in_two_files_of_one_upload_is_stored_once():
    result = load("s1", upload("store_nrs.yaml"), upload("store_nrs.yaml", rename="copy.yaml"))
    assert len(result.stored) == 1 and StudyInstrument.objects.count() == 1


def test_a_study_code_that_cannot_be_one_is_refused():
    assert problems_of("Not a code!", upload("store_nrs.yaml")) == ["--study: 'Not a code!' cannot be a study code"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[" * 5000 + "]" * 5000, "nested more than 50 deep"),
        (
            "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{n}: &{n} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
                for p, n in zip("abcdefgh", "bcdefghi", strict=True)
            )
            + "items: *i\n",
            "expands to more than",
        ),
        # A list that contains itself: a walk that does not track open nodes never ends (it hung before).
        ("items: &a [*a]\n", "refers to the list or mapping that contains it"),
    ],
)
def test_a_hostile_yaml_file_is_a_problem_not_a_server_error(text, reason):
    problems = problems_of("s1", upload("hostile.yaml", text=text))
    assert len(problems) == 1 and problems[0].startswith("hostile.yaml: cannot read YAML") and reason in problems[0]


def test_the_recovery_dictionary_with_calculated_fields_is_stored_and_reads_back_whole():
    """The expression helper's REDCap export (English only, calculated mean and best of three)."""
    result = load("s1", upload("recovery_dictionary.csv"), languages=("en",))
    assert result.stored
    stored = [get_instrument(row.code, study="s1") for row in result.stored]
    calculated = [item for one in stored for item in one.items if item.type == "calculated"]
    assert calculated and all(item.expression is not None for item in calculated)  # calculations kept
