"""Every instrument YAML in instruments/library loads with no problems (the system check's rule)."""

from instruments.definitions import LIBRARY_ROOT, check_library, load_library


def test_the_library_is_not_empty():
    assert list(LIBRARY_ROOT.glob("*/*.yaml")), f"no instrument files under {LIBRARY_ROOT}"


def test_every_library_definition_has_no_problems():
    problems = check_library()
    assert not problems, "\n" + "\n".join(str(problem) for problem in problems)


def test_the_library_loads_and_each_code_has_a_latest_version():
    library = load_library()
    for code, _version in library:
        assert library.latest(code).code == code


def test_every_library_definition_survives_a_redcap_round_trip_but_split_sections():
    from dataclasses import replace

    from instruments.redcap_dd import read_data_dictionary, write_data_dictionary

    ours = list(load_library().values())
    # One dictionary per definition: two versions of one instrument (hamd 1.0 and 1.1) share field names.
    back = [one for instrument in ours for one in read_data_dictionary(write_data_dictionary([instrument]))]
    assert [replace(one, sections=()) for one in back] == [replace(one, sections=()) for one in ours]


def test_a_full_valid_response_to_every_library_instrument_cleans_and_scores():
    from instruments.definitions import clean_responses, compute
    from instruments.definitions.scorers import sample_response

    for instrument in load_library().values():
        raw = {
            code: [str(one) for one in value] if isinstance(value, list) else str(value)
            for code, value in sample_response(instrument).items()
            if value is not None
        }
        result = clean_responses(instrument, raw, complete=False)
        assert result.errors == {}, (instrument.code, result.errors)
        assert isinstance(compute(instrument, result.values), dict)
