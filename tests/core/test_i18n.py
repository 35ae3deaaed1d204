"""core.i18n: one rule for "this text in the viewer's language", whatever shape the bilingual text has."""

from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import translation

from core.i18n import Bilingual, field_text, in_viewer_language, is_chinese, text_for


@dataclass(frozen=True)
class PureLabel:  # like instruments' Label or the protocol's Text: no Django, only .en and .zh
    en: str
    zh: str


@pytest.mark.parametrize(
    ("code", "chinese"), [("zh-hans", True), ("zh-Hans", True), ("zh-cn", True), ("en", False), ("", False)]
)
def test_it_knows_a_chinese_language_code(code, chinese):
    assert is_chinese(code) is chinese


def test_it_reads_the_active_language_by_default():
    with translation.override("zh-hans"):
        assert is_chinese()
    with translation.override("en"):
        assert not is_chinese()
    with translation.override(None):
        assert not is_chinese()


@pytest.mark.parametrize(
    "value",
    [PureLabel("Sleep", "睡眠"), Bilingual("Sleep", "睡眠"), {"en": "Sleep", "zh": "睡眠"}],
)
def test_every_shape_reads_in_the_viewers_language(value):
    with translation.override("zh-hans"):
        assert text_for(value) == "睡眠"
    with translation.override("en"):
        assert text_for(value) == "Sleep"
    assert text_for(value, language_code="zh-hans") == "睡眠"


@pytest.mark.parametrize("value", [PureLabel("Sleep", ""), {"en": "Sleep", "zh": ""}, {"en": "Sleep"}])
def test_a_chinese_viewer_gets_english_when_there_is_no_chinese(value):
    assert text_for(value, language_code="zh-hans") == "Sleep"


def test_nothing_reads_as_empty_text():
    assert text_for(None) == "" and text_for({}) == "" and in_viewer_language(None, None) == ""


def test_a_pair_of_model_fields_reads_like_the_rest():
    visit = SimpleNamespace(label="Baseline", label_zh="基线")
    assert field_text(visit, "label", language_code="zh-hans") == "基线"
    assert field_text(visit, "label", language_code="en") == "Baseline"
    assert field_text(SimpleNamespace(label="Baseline"), "label", language_code="zh-hans") == "Baseline"


def test_a_bilingual_value_prints_in_the_viewers_language():
    with translation.override("zh-hans"):
        assert str(Bilingual("Sleep", "睡眠")) == "睡眠" and str(Bilingual("Sleep")) == "Sleep"


def test_the_template_tags_use_the_same_rule():
    template = Template('{% load core_i18n %}{{ visit|localized:"label" }}|{% bilingual item %}')
    context = Context({"visit": SimpleNamespace(label="Baseline", label_zh="基线"), "item": PureLabel("Sleep", "")})
    with translation.override("zh-hans"):
        assert template.render(context) == "基线|Sleep"
    with translation.override("en"):
        assert template.render(context) == "Baseline|Sleep"
