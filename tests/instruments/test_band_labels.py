"""A category score (a severity band) is shown by its label from the definition, in the user's language."""

from django.utils import translation

from instruments.forms import score_rows
from instruments.registry import get_instrument


def test_the_phq9_bands_carry_their_labels_from_the_definition():
    spec = {s.name: s for s in get_instrument("phq9").scores}["band"]
    assert spec.band_label("moderately_severe").en == "Moderately severe (15-19)"
    assert spec.band_label("no_such_band") is None


def test_score_rows_show_the_band_label_in_each_language():
    instrument = get_instrument("phq9")
    with translation.override("en"):
        rows = {row["name"]: row["value"] for row in score_rows(instrument, {"total": 7, "band": "mild"})}
        assert rows == {"total": "7", "band": "Mild (5-9)"}
    with translation.override("zh-hans"):
        rows = {row["name"]: row["value"] for row in score_rows(instrument, {"total": 7, "band": "mild"})}
        assert rows["band"] == "轻度 (5-9)"
