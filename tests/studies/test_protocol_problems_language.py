"""A broken protocol file's problems read in the viewer's language, each with its key path.

The Chinese cases need the zh-Hans catalogue to hold the protocol messages; the English cases hold either way.
"""

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from studies.models import ProtocolVersion
from tests.studies.conftest import dump
from tests.studies.test_protocol_load import alpha_protocol

UPLOAD = "workflows:protocol-upload"
PROBLEM = re.compile(r'<code class="problem-path">(.*?)</code>: (.*?)</li>', re.S)


def _broken() -> str:
    """One file, four kinds of problem: a misspelt key (so also a missing one), a wrong type, a missing key and
    an undeclared anchor (a cross-reference)."""
    data = alpha_protocol()
    data["visits"][1]["ofset_days"] = data["visits"][1].pop("offset_days")
    data["visits"][0]["window_after"] = "seven"
    data["sites"][1].pop("name")
    data["visits"][2]["anchor"] = "surgery"
    return dump(data)


def _quality_typo() -> str:
    """Parses, but its quality rule names an item bpi does not have: refused by the load's item check."""
    data = alpha_protocol()
    data["quality_rules"] = [
        {
            "code": "worst",
            "kind": "range",
            "instrument": "bpi",
            "item": "bpi_33",
            "max": 10,
            "message": {"en": "Worst pain above 10", "zh": "最剧烈疼痛高于10"},
        }
    ]
    return dump(data)


BROKEN = {
    "sites[1].name": ("missing required key", "缺少必需的键"),
    "visits[0].window_after": ("expected an integer, got a string 'seven'", "应为整数，实际为字符串 'seven'"),
    "visits[1].ofset_days": (
        "unknown key 'ofset_days' (did you mean 'offset_days'?)",
        "未知的键 'ofset_days'（您是否想写 'offset_days'？）",
    ),
    "visits[1].offset_days": ("missing required key", "缺少必需的键"),
    "visits[2].anchor": ("anchor 'surgery' is not declared by the study", "锚点 'surgery' 未在研究中声明"),
}
QUALITY = {
    "quality_rules[0].item": (
        "instrument 'bpi' has no item 'bpi_33' (did you mean 'bpi_3'?)",
        "量表 'bpi' 没有条目 'bpi_33'（您是否想写 'bpi_3'？）",
    )
}
# PyYAML's reason has no catalogue, so it stays English inside the Chinese sentence.
REASON = "expected the node content, but found '<stream end>'"
SYNTAX = {"(whole file)": (f"YAML syntax error: {REASON} (line 3)", f"YAML 语法错误：{REASON}（第 3 行）")}
SYNTAX_ZH_PATH = "（整个文件）"
LANGUAGES = [("en", 0), ("zh-hans", 1)]


@pytest.fixture
def admin_client(client, make_persona):
    client.force_login(make_persona("admin"))
    return client


def _upload(client, study, text: str):
    url = reverse(UPLOAD, args=[study.code])
    return client.post(url, {"file": SimpleUploadedFile("alpha.yaml", text.encode("utf-8"))})


def _problems(response) -> dict[str, str]:
    """key path -> message, as the page lists them (tags and HTML escapes removed)."""
    assert response.status_code == 400
    listing = response.content.decode().split('id="protocol-problems"')[1].split("</div>")[0]
    return {html.unescape(path): html.unescape(message).strip() for path, message in PROBLEM.findall(listing)}


@pytest.mark.django_db
@pytest.mark.parametrize("language, column", LANGUAGES)
def test_every_problem_of_a_broken_file_reads_in_the_viewers_language(admin_client, world, language, column):
    admin_client.cookies["django_language"] = language

    shown = _problems(_upload(admin_client, world.study, _broken()))

    assert shown == {path: texts[column] for path, texts in BROKEN.items()}
    assert not ProtocolVersion.objects.filter(study=world.study).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("language, column", LANGUAGES)
def test_a_quality_rule_naming_a_missing_item_reads_in_the_viewers_language(admin_client, world, language, column):
    admin_client.cookies["django_language"] = language

    shown = _problems(_upload(admin_client, world.study, _quality_typo()))

    assert shown == {path: texts[column] for path, texts in QUALITY.items()}


@pytest.mark.django_db
@pytest.mark.parametrize("language, column", LANGUAGES)
def test_a_yaml_syntax_error_keeps_the_parsers_reason_inside_the_translated_sentence(
    admin_client, world, language, column
):
    admin_client.cookies["django_language"] = language

    shown = _problems(_upload(admin_client, world.study, "study:\n  code: [alpha,\n"))

    ((english, chinese),) = SYNTAX.values()
    assert shown == ({"(whole file)": english} if column == 0 else {SYNTAX_ZH_PATH: chinese})


@pytest.mark.django_db
def test_the_admin_upload_lists_problems_with_file_line_and_path_in_chinese(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    client.cookies["django_language"] = "zh-hans"
    url = reverse("admin:studies_study_protocol_upload")

    page = client.post(url, {"file": SimpleUploadedFile("g.yaml", b"study: 1\nofset: 2\n")}).content.decode()

    items = [html.unescape(item) for item in re.findall(r"<li>(g\.yaml:.*?)</li>", page)]
    assert "g.yaml: study: 应为映射（mapping），实际为整数" in items
    assert "g.yaml: ofset: 未知的键 'ofset'" in items
    assert "g.yaml: sites: 缺少必需的键" in items

    page = client.post(url, {"file": SimpleUploadedFile("g.yaml", b"study:\n  code: [alpha,\n")}).content.decode()

    items = [html.unescape(item) for item in re.findall(r"<li>(g\.yaml:.*?)</li>", page)]
    assert items == [f"g.yaml:3: （整个文件）: YAML 语法错误：{REASON}（第 3 行）"]
