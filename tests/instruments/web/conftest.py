"""Fixtures for the instruments pages: study alpha with a protocol, personas, valid answers."""

import random

import pytest
from django.urls import reverse

from instruments.definitions import Item
from tests.factories import ParticipantFactory
from tests.matrix.instruments import alpha_with_protocol


def valid_text(item: Item, rng: random.Random):
    """A random valid answer for ``item`` as a form sends it (a list for multiple choice)."""
    low = item.min if item.min is not None else 0
    high = item.max if item.max is not None else low + 100
    if item.type in ("single_choice", "multiple_choice"):
        codes = [str(code) for code in item.option_codes]
        return rng.sample(codes, k=rng.randint(1, len(codes))) if item.type == "multiple_choice" else rng.choice(codes)
    if item.type in ("integer_scale", "duration"):
        return str(rng.randint(int(low), int(high)))
    if item.type == "number":
        places = item.decimals if item.decimals is not None else 1
        return f"{rng.uniform(low, high):.{places}f}"
    return {
        "yes_no": rng.choice(["1", "0"]),
        "date": "2026-03-0" + str(rng.randint(1, 9)),
        "partial_date": "2025-11",
        "time": f"{rng.randint(0, 23):02d}:{rng.choice(['00', '15', '30', '45'])}",
        "text": "note",
    }[item.type]


# Answers that keep random ones within the built-in plausibility checks (instruments/library/*/checks, and the LBPB
# protocol's age checks on demographics): least <= average, now <= worst pain; an AE ends and is known of after it
# starts; aminotransferases below 1000 U/L; an adult's date of birth.
PLAUSIBLE = {
    "bpi": {"bpi_3": "8", "bpi_4": "2", "bpi_5": "5", "bpi_6": "4"},
    "ae_record": {
        "ae_record_onset_date": "2026-03-01",
        "ae_record_aware_date": "2026-03-02",
        "ae_record_resolution_date": "2026-03-09",
    },
    "biochem": {"biochem_alt": "35", "biochem_ast": "30"},
    "demographics": {"demographics_birth_date": "1980-05-17"},
}


def plausible(instrument, answers: dict) -> dict:
    """``answers`` with the few that the plausibility checks read set to plausible values."""
    return answers | {code: value for code, value in PLAUSIBLE.get(instrument.code, {}).items() if code in answers}


def full_answers(instrument, seed: int = 1) -> dict:
    rng = random.Random(f"{instrument.code}-{seed}")
    return plausible(instrument, {item.code: valid_text(item, rng) for item in instrument.items if item.entered})


@pytest.fixture
def alpha(world):
    """The world, with study alpha's protocol attached and two more site-A participants."""
    alpha_with_protocol(world)
    world.participant_a2 = ParticipantFactory(site=world.site_a, identifier="ALPHA-A-0002")
    world.participant_a3 = ParticipantFactory(site=world.site_a, identifier="ALPHA-A-0003")
    return world


@pytest.fixture
def coordinator(alpha, make_persona):
    return make_persona("coordinator")


def crf_url(participant, visit="baseline", activity="phq9"):
    return reverse("workflows:response-edit", args=[participant.pk, visit, activity])


def form_post(answers: dict, *, action="complete", lock_version=0, reason="") -> dict:
    return {**answers, "action": action, "lock_version": lock_version, "reason": reason}
