"""The trail in words: a response's answers and scores by their item, option and score labels, users by name, other
fields by their verbose name and choice labels, in the viewer's language; the raw key kept beside them."""

import csv
import io

import pytest
from django.urls import reverse

from instruments.models import Response
from tests.matrix.instruments import alpha_with_protocol
from workflows.services import response_submit

pytestmark = pytest.mark.django_db


def _save(world, user, answers, *, lock_version=None, reason=""):
    return response_submit(
        participant=world.participant_a,
        visit_code="baseline",
        activity_key="phq9",
        instrument_code="phq9",
        raw=answers,
        complete=True,
        user=user,
        source="coordinator",
        expected_lock_version=lock_version,
        reason=reason,
    )


@pytest.fixture
def edited(world, make_persona):
    alpha_with_protocol(world)
    coordinator = make_persona("coordinator")
    coordinator.first_name, coordinator.last_name = "Li", "Wei"
    coordinator.save()
    answers = {f"phq9_{n}": "0" for n in range(1, 10)}
    first = _save(world, coordinator, answers).response
    _save(world, coordinator, {**answers, "phq9_3": "3"}, lock_version=first.lock_version, reason="typo")
    return world, coordinator


def _changes(client, world) -> dict:
    url = reverse("audit:participant-events", args=[world.participant_a.pk])
    rows = client.get(url).context["rows"]
    update = next(row for row in rows if row.event.object_type == "instruments.response" and row.event.reason)
    return {change.field: change for change in update.changes}


def test_answers_scores_and_users_read_as_words_in_english(client, make_persona, edited):
    world, coordinator = edited
    client.force_login(make_persona("data_manager"))
    changes = _changes(client, world)
    item = changes["values.phq9_3"]
    assert item.label == "phq9_3 Trouble falling or staying asleep, or sleeping too much"
    assert (item.old_text, item.new_text) == ("0 Not at all", "3 Nearly every day")
    assert (item.old, item.new) == ("0", "3")  # the recorded values are kept
    assert changes["scores.total"].label == "Total (score)"
    assert (changes["scores.total"].old_text, changes["scores.total"].new_text) == ("0", "3")
    band = changes.get("scores.band")
    assert band is None or band.new_text.startswith("Minimal")  # the band did not move (0 and 3 are minimal)


def test_the_same_trail_in_chinese_and_in_the_csv(client, make_persona, edited):
    world, _coordinator = edited
    client.force_login(make_persona("data_manager"))
    client.post(reverse("set_language"), {"language": "zh-hans"})
    item = _changes(client, world)["values.phq9_3"]
    assert item.label == "phq9_3 入睡困难、睡不安稳或睡眠过多" and item.new_text == "3 几乎每天"
    url = reverse("audit:participant-events", args=[world.participant_a.pk])
    page = client.get(url).content.decode()
    assert "入睡困难、睡不安稳或睡眠过多" in page and '<code class="text-muted">values.phq9_3</code>' in page
    rows = list(
        csv.DictReader(io.StringIO(b"".join(client.get(url, {"format": "csv"}).streaming_content).decode("utf-8-sig")))
    )
    line = next(row for row in rows if row["field"] == "values.phq9_3" and row["old_value"])
    assert (line["old_value"], line["new_value"], line["new_value_label"]) == ("0", "3", "3 几乎每天")


def test_a_user_field_shows_the_users_name_and_a_choice_its_label(client, make_persona, edited):
    world, coordinator = edited
    client.force_login(make_persona("data_manager"))
    url = reverse("audit:participant-events", args=[world.participant_a.pk])
    rows = client.get(url).context["rows"]
    created = next(row for row in rows if row.event.object_type == "instruments.response" and not row.event.reason)
    changes = {change.field: change for change in created.changes}
    assert changes["entered_by"].new_text == "Li Wei" and changes["entered_by"].new == str(coordinator.pk)
    assert changes["status"].new_text == str(Response.Status.COMPLETE.label)


def test_words_cost_a_fixed_number_of_queries(client, make_persona, edited, django_assert_max_num_queries):
    world, coordinator = edited
    client.force_login(make_persona("data_manager"))
    url = reverse("audit:participant-events", args=[world.participant_a.pk])
    client.get(url)
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for n in range(4):
        response = Response.objects.get()
        _save(
            world,
            coordinator,
            {f"phq9_{k}": str(n % 4) for k in range(1, 10)},
            lock_version=response.lock_version,
            reason=f"edit {n}",
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
