"""The study pages: protocol summary, protocol upload and protocol history, through HTTP."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from studies.models import ProtocolVersion
from tests.studies.conftest import dump
from tests.studies.test_protocol_load import alpha_protocol, amended, counts, reprojections  # noqa: F401
from workflows.services import protocol_apply

UPLOAD = "workflows:protocol-upload"


def upload(client, study, text: str | bytes, name: str = "alpha.yaml"):
    content = text.encode("utf-8") if isinstance(text, str) else text
    return client.post(reverse(UPLOAD, args=[study.code]), {"file": SimpleUploadedFile(name, content)})


def upload_confirmed(client, study, text: str, name: str = "alpha.yaml"):
    """Upload a protocol file and, when the page shows an amendment's preview, confirm it (as the user would)."""
    response = upload(client, study, text, name)
    if response.status_code != 200 or 'name="confirm"' not in response.content.decode():
        return response
    return client.post(reverse(UPLOAD, args=[study.code]), {"confirm": "1", "text": text, "filename": name})


def _broken(change) -> str:
    data = alpha_protocol()
    change(data)
    return dump(data)


def _rename(mapping, old, new):
    mapping[new] = mapping.pop(old)


# (what is broken, file text, key path shown, message shown)
BROKEN = [
    ("YAML syntax", "study: [\n  code: x", "(whole file)", "YAML syntax error"),
    ("empty file", "# nothing here\n", "(whole file)", "the file is empty"),
    ("missing key", _broken(lambda d: d["visits"][0].pop("anchor")), "visits[0].anchor", "missing required key"),
    (
        "misspelt key",
        _broken(lambda d: _rename(d["visits"][1], "offset_days", "ofset_days")),
        "visits[1].ofset_days",
        "did you mean &#x27;offset_days&#x27;?",
    ),
    (
        "unknown instrument",
        _broken(lambda d: d["visits"][1]["activities"].update(instruments=["odx"])),
        "visits[1].activities.instruments[0].code",
        "unknown instrument &#x27;odx&#x27;",
    ),
    (
        "negative window",
        _broken(lambda d: d["visits"][2].update(window_before=-1)),
        "visits[2].window_before",
        "cannot be negative",
    ),
    (
        "undeclared anchor",
        _broken(lambda d: d["visits"][2].update(anchor="surgery")),
        "visits[2].anchor",
        "anchor &#x27;surgery&#x27; is not declared",
    ),
    (
        "overlapping windows",
        _broken(lambda d: d["visits"][2].update(window_before=20)),
        "visits[2]",
        "overlaps visit &#x27;w2&#x27;",
    ),
    (
        "duplicate visit",
        _broken(lambda d: d["visits"][2].update(code="w2")),
        "visits[2].code",
        "duplicate visit code &#x27;w2&#x27;",
    ),
    ("unquoted numeric code", _broken(lambda d: d["sites"][0].update(code=1)), "sites[0].code", "(quote it)"),
    (
        "undeclared arm",
        _broken(lambda d: d["visits"][2].update(arms=["c"])),
        "visits[2].arms[0]",
        "the study has no arm &#x27;c&#x27;",
    ),
    (
        "rule on an undeclared field",
        _broken(lambda d: d["eligibility"]["inclusion"][0]["rule"].update(field="height")),
        "eligibility.inclusion[0].rule.field",
        "unknown field &#x27;height&#x27;",
    ),
    (
        "another study's file",
        _broken(lambda d: d["study"].update(code="beta")),
        "study.code",
        "this file is for study &#x27;beta&#x27;, not &#x27;ALPHA&#x27;",
    ),
]


@pytest.fixture
def admin_client(client, make_persona):
    client.force_login(make_persona("admin"))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("kind, text, path, message", BROKEN, ids=[case[0] for case in BROKEN])
def test_a_broken_file_shows_its_precise_problem_and_loads_nothing(admin_client, world, kind, text, path, message):
    before = counts()

    response = upload(admin_client, world.study, text)

    assert response.status_code == 400
    page = response.content.decode()
    problems = page.split('id="protocol-problems"')[1].split("</div>")[0]
    assert f'<code class="problem-path">{path}</code>' in problems
    assert message in problems
    assert "Nothing was changed" in problems
    assert counts() == before


@pytest.mark.django_db
def test_a_broken_amendment_leaves_the_current_protocol_in_place(admin_client, world):
    protocol_apply(text=dump(alpha_protocol()), filename="alpha.yaml")
    before = counts()
    data = amended(alpha_protocol())
    data["visits"][3]["window_before"] = -1

    response = upload(admin_client, world.study, dump(data), "alpha-1.1.yaml")

    assert response.status_code == 400
    assert "visits[3].window_before" in response.content.decode()
    assert counts() == before
    assert ProtocolVersion.objects.get(is_current=True).version == "1.0"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content, message",
    [
        (b"\xff\xfe\x00bad", "The file is not UTF-8 text."),
        (b"", "The submitted file is empty."),
    ],
)
def test_a_file_that_is_not_text_is_refused_next_to_the_field(admin_client, world, content, message):
    response = upload(admin_client, world.study, content)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ProtocolVersion.objects.exists()


@pytest.mark.django_db
def test_an_admin_loads_a_protocol_and_the_study_page_shows_it(admin_client, world):
    response = upload(admin_client, world.study, dump(alpha_protocol()))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Protocol loaded" in page and "version 1.0" in page
    assert "study &#x27;alpha&#x27; version 1.0 loaded: 2 sites, 2 arms, 3 visits, 2 criteria" in page
    detail = admin_client.get(reverse("studies:study-detail", args=[world.study.code])).content.decode()
    grid = detail.split('id="schedule"')[1].split("</table>")[0]
    assert [h for h in re.findall(r'<th scope="col"[^>]*><code>([^<]+)</code></th>', grid)] == ["baseline", "w2", "m1"]
    bpi_row = grid.split("</tr>")[1]
    assert "BPI" in bpi_row and bpi_row.count("✓") == 1
    visits = detail.split('id="visits"')[1].split("</table>")[0]
    assert "−3 / +3" in visits and "Baseline" in visits
    inclusion, exclusion = detail.split('id="eligibility"')[1].split("Exclusion criteria")
    assert "Aged 18-65" in inclusion and "Pregnant" not in inclusion
    assert "Pregnant" in exclusion.split("</ol>")[0]


@pytest.mark.django_db
def test_the_study_page_shows_arms_anchors_repeats_and_arms_of_visits_from_the_file(client, world, make_persona):
    data = alpha_protocol()
    data["arms"][0]["name"] = {"en": "Active arm", "zh": "试验组"}
    data["anchors"][1]["expected"] = {"anchor": "enrolment", "offset_days": 21}
    data["anchors"].append({"code": "rescue", "label": {"en": "Rescue", "zh": "补救"}, "optional": True})
    data["visits"][1]["arms"] = ["b"]
    data["visits"][2].update(window_before=3, window_after=3, repeating={"every_days": 30, "count": 3})
    protocol_apply(text=dump(data), filename="alpha.yaml")
    client.force_login(make_persona("monitor"))

    page = client.get(reverse("studies:study-detail", args=[world.study.code])).content.decode()

    arms = page.split('id="arms"')[1].split("</table>")[0]
    assert "<code>a</code>" in arms and "Active arm" in arms and "<code>b</code>" in arms
    anchors = page.split('id="anchors"')[1].split("</table>")[0]
    assert "Expected 21 days after enrolment until entered" in anchors
    assert "Only some participants" in anchors.split("<code>rescue</code>")[1]
    rows = page.split('id="visits"')[1].split("</table>")[0].split("</tr>")
    w2 = next(row for row in rows if "<code>w2</code>" in row)
    assert "<td><code>b</code></td>" in w2
    m1 = next(row for row in rows if "<code>m1</code>" in row)
    assert "3 × every 30 days" in m1


@pytest.mark.django_db
def test_the_same_file_uploaded_twice_changes_nothing(admin_client, world):
    text = dump(alpha_protocol())
    upload(admin_client, world.study, text)
    before = counts()

    response = upload(admin_client, world.study, text)

    assert "Nothing changed: this file is already loaded" in response.content.decode()
    assert counts() == before


@pytest.mark.django_db
def test_a_data_manager_may_load_an_amendment_and_the_history_shows_its_changes(
    client,
    world,
    make_persona,
    reprojections,  # noqa: F811
):  # noqa: F811
    protocol_apply(text=dump(alpha_protocol()), filename="alpha.yaml")
    client.force_login(make_persona("data_manager"))

    preview = upload(client, world.study, dump(amended(alpha_protocol())), "alpha-1.1.yaml")
    assert (
        "Amendment to version 1.1" in preview.content.decode()
    )  # a preview first (tests/studies/test_amendment_preview.py)
    confirm = {"confirm": "1", "text": dump(amended(alpha_protocol())), "filename": "alpha-1.1.yaml"}
    response = client.post(reverse(UPLOAD, args=[world.study.code]), confirm)

    assert "Amendment loaded" in response.content.decode()
    detail = client.get(reverse("studies:study-detail", args=[world.study.code])).content.decode()
    assert "<code>m3</code>" in detail.split('id="visits"')[1].split("</table>")[0]
    history = client.get(reverse("studies:protocol-history", args=[world.study.code])).content.decode()
    rows = history.split('id="versions"')[1].split("<tbody>")[1].split("</tr>")
    assert "1.1" in rows[0] and "current" in rows[0]
    assert "visit &#x27;m1&#x27; changed: window_after 7 -&gt; 5" in rows[0]
    assert "visit &#x27;m3&#x27; added" in rows[0]
    assert "alpha-1.1.yaml" in rows[0] and "alpha.yaml" in rows[1]
    assert reprojections == ["alpha", "alpha", "alpha"]  # the load, the preview (rolled back), the confirmation


@pytest.mark.django_db
# The Unblinded statistician loads protocols too: the amendments that touch a blinded study's blind need it.
@pytest.mark.parametrize("role", ["pi", "coordinator", "monitor"])
def test_other_roles_may_view_but_not_load_a_protocol(client, world, make_persona, role):
    client.force_login(make_persona(role))

    assert client.get(reverse(UPLOAD, args=[world.study.code])).status_code == 403
    assert upload(client, world.study, dump(alpha_protocol())).status_code == 403

    assert not ProtocolVersion.objects.exists()
    detail = client.get(reverse("studies:study-detail", args=[world.study.code]))
    assert detail.status_code == 200 and reverse(UPLOAD, args=[world.study.code]) not in detail.content.decode()
    assert client.get(reverse("studies:protocol-history", args=[world.study.code])).status_code == 200


@pytest.mark.django_db
def test_an_admin_of_one_study_cannot_load_into_another(admin_client, world):
    response = upload(admin_client, world.other_study, dump(alpha_protocol()))
    assert response.status_code == 404
    assert not ProtocolVersion.objects.exists()


@pytest.mark.django_db
def test_the_study_page_is_in_chinese_for_a_chinese_reader(client, world, make_persona):
    protocol_apply(text=dump(alpha_protocol()), filename="alpha.yaml")
    client.force_login(make_persona("monitor"))
    client.cookies["django_language"] = "zh-hans"

    page = client.get(reverse("studies:study-detail", args=[world.study.code])).content.decode()

    assert "访视" in page and "活动时间表" in page and "纳入标准" in page
    visits = page.split('id="visits"')[1].split("</table>")[0]
    assert "基线" in visits and "Baseline" not in visits
    assert "A中心" in page


@pytest.mark.django_db
def test_the_upload_page_is_in_chinese(admin_client, world):
    admin_client.cookies["django_language"] = "zh-hans"
    page = admin_client.get(reverse(UPLOAD, args=[world.study.code])).content.decode()
    assert "载入方案文件" in page
    broken = upload(admin_client, world.study, "study: [\n").content.decode()
    assert "未载入" in broken


@pytest.mark.django_db
def test_the_admin_site_loads_a_new_study_through_the_same_service(client, world):
    from tests.factories import UserFactory

    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    url = reverse("admin:studies_study_protocol_upload")
    assert url in client.get(reverse("admin:studies_study_changelist")).content.decode()
    assert client.get(url).status_code == 200
    text = dump(alpha_protocol()).replace("code: alpha", "code: gamma", 1)

    broken = client.post(url, {"file": SimpleUploadedFile("g.yaml", b"study: 1\n")})
    assert "missing required key" in broken.content.decode()
    response = client.post(url, {"file": SimpleUploadedFile("gamma.yaml", text.encode())})

    assert response.status_code == 302
    version = ProtocolVersion.objects.get(study__code="gamma")
    assert version.loaded_by == staff and version.filename == "gamma.yaml"


@pytest.mark.django_db
def test_the_study_page_takes_as_many_queries_for_a_long_schedule_as_for_a_short_one(
    client,
    world,
    make_persona,
    reprojections,  # noqa: F811
):  # noqa: F811
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(make_persona("pi"))
    url = reverse("studies:study-detail", args=[world.study.code])
    data = alpha_protocol()
    protocol_apply(text=dump(data), filename="alpha.yaml")
    with CaptureQueriesContext(connection) as short:
        client.get(url)
    data["study"]["protocol_version"] = "2.0"
    for month in range(2, 12):
        data["visits"].append(
            {
                "code": f"m{month}",
                "label": {"en": "m", "zh": "m"},
                "anchor": "treatment",
                "offset_days": 30 * month,
                "window_before": 3,
                "window_after": 3,
                "activities": {"instruments": ["bpi", "odi"], "specimens": ["blood"]},
            }
        )
    protocol_apply(text=dump(data), filename="alpha-2.yaml")
    with CaptureQueriesContext(connection) as long:
        page = client.get(url).content.decode()
    assert "m11" in page
    assert len(long) == len(short) <= 15  # 19 while the protocol was also copied into five tables


@pytest.mark.django_db
def test_the_protocol_summary_is_read_from_the_stored_file_in_one_query(world, django_assert_num_queries):
    from studies.selectors import protocol_summary

    protocol_apply(text=dump(alpha_protocol()), filename="alpha.yaml")

    with django_assert_num_queries(1):
        summary = protocol_summary(world.study)

    assert [row.visit.code for row in summary["visits"]] == ["baseline", "w2", "m1"]
    assert [arm.code for arm in summary["arms"]] == ["a", "b"]
    assert [row.anchor.code for row in summary["visits"]] == ["enrolment", "treatment", "treatment"]
