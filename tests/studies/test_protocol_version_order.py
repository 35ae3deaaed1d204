"""An amendment's protocol_version must be later than the current one, compared as versions."""

import pytest

from studies.models import ProtocolVersion
from studies.protocol import ProtocolError
from studies.services import version_key
from workflows.services import protocol_apply

from .test_protocol_load import alpha_protocol, amended, dump


@pytest.mark.parametrize(
    ("lower", "higher"),
    [("1.9", "1.10"), ("1.9.3", "2.0"), ("1.0", "1.0.1"), ("1.1", "1.1b"), ("v2", "v10")],
)
def test_versions_compare_as_numbers(lower, higher):
    assert version_key(lower) < version_key(higher)


def test_trailing_zeros_do_not_make_a_later_version():
    assert version_key("1.0") == version_key("1") == version_key("1.0.0")


@pytest.mark.django_db
def test_a_lower_version_is_refused_as_an_amendment_and_nothing_changes(world):
    protocol_apply(text=dump(amended(alpha_protocol())), filename="alpha-1.1.yaml")
    lower = alpha_protocol(protocol_version="1.0.9")
    lower["visits"][2]["window_after"] = 3
    with pytest.raises(ProtocolError) as refused:
        protocol_apply(text=dump(lower), filename="alpha-1.0.9.yaml")
    assert "not later than version 1.1" in str(refused.value.problems[0])
    assert list(ProtocolVersion.objects.filter(study=world.study).values_list("version", flat=True)) == ["1.1"]
    world.study.refresh_from_db()
    assert world.study.protocol_version == "1.1"


@pytest.mark.django_db
def test_a_higher_version_is_loaded_as_an_amendment(world):
    protocol_apply(text=dump(alpha_protocol()), filename="alpha.yaml")
    result = protocol_apply(text=dump(amended(alpha_protocol())), filename="alpha-1.1.yaml")
    assert result.status == "amended"
