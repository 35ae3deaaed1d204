"""The study's instruments page, the REDCap reader's "add to this study", and creating a study from the pages."""

from pathlib import Path

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Membership
from instruments.definitions import parse_definition
from instruments.models import Response, StudyInstrument
from instruments.redcap_dd import write_data_dictionary
from studies.models import Study
from tests.factories import UserFactory
from tests.matrix.instruments import attach_protocol
from tests.protocol_text import protocol_head

FILES = Path(__file__).resolve().parents[2] / "fixtures" / "study_files"
pytestmark = pytest.mark.django_db

NRS_PROTOCOL = (
    protocol_head()
    + """visits:
  - code: baseline
    label: {en: "Baseline", zh: "基线"}
    anchor: enrolment
    offset_days: 0
    window_before: 0
    window_after: 7
    activities:
      instruments: [nrs, phq9]
"""
)


def file(name: str, text: str | None = None) -> SimpleUploadedFile:
    content = text if text is not None else (FILES / name).read_text(encoding="utf-8")
    return SimpleUploadedFile(name, content.encode("utf-8"))


def page_url(study) -> str:
    return reverse("workflows:study-instruments", args=[study.code])


def crf_url(participant, activity="nrs") -> str:
    return reverse("workflows:response-edit", args=[participant.pk, "baseline", activity])


@pytest.fixture
def data_manager(world, make_persona):
    return make_persona("data_manager", all_sites=True)


def test_an_uploaded_definition_is_usable_at_once_by_the_crf_and_the_api(client, world, data_manager):
    client.force_login(data_manager)
    stored = client.post(page_url(world.study), {"files": [file("store_nrs.yaml")]})
    assert stored.status_code == 200
    assert "Stored nrs version 1.0." in stored.content.decode()
    attach_protocol(world.study, NRS_PROTOCOL)  # the protocol names the new code (as load_protocol would)

    form = client.get(crf_url(world.participant_a))
    assert form.status_code == 200 and "nrs_now" in form.content.decode()
    saved = client.post(crf_url(world.participant_a), {"nrs_now": "7", "action": "complete", "lock_version": 0})
    assert saved.status_code == 302
    assert Response.objects.get(instrument_code="nrs").values == {"nrs_now": 7}

    api = client.post(
        reverse("workflows:api-response-list"),
        {
            "participant": world.participant_b.pk,
            "visit_code": "baseline",
            "activity_key": "nrs",
            "answers": {"nrs_now": 3},
            "complete": True,
        },
        content_type="application/json",
    )
    assert api.status_code == 201, api.content
    assert api.json()["values"] == {"nrs_now": 3}


def test_the_page_lists_the_study_definitions_with_their_source(client, world, data_manager):
    client.force_login(data_manager)
    client.post(page_url(world.study), {"files": [file("store_nrs.yaml")]})
    listed = client.get(page_url(world.study)).content.decode()
    assert 'data-code="nrs"' in listed and "Pain numeric rating scale" in listed
    assert "store_nrs.yaml" in listed and data_manager.username in listed


def test_a_refused_upload_shows_every_problem_with_its_position_and_stores_nothing(client, world, data_manager):
    client.force_login(data_manager)
    refused = client.post(
        page_url(world.study),
        {"files": [file("store_nrs.yaml"), file("store_broken.yaml"), file("store_redcap_broken.csv")]},
    )
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Nothing was stored: 7 problems." in page
    assert 'store_broken.yaml</code> · <code class="problem-path">kind</code>: must be one of scale, crf' in page
    assert "row 4 (pain_2)" in page and "appears twice" in page
    assert not StudyInstrument.objects.exists()


def test_roles_without_the_capability_get_403_and_other_studies_404(client, world, make_persona):
    client.force_login(make_persona("coordinator"))
    assert client.get(page_url(world.study)).status_code == 403
    assert client.post(page_url(world.study), {"files": [file("store_nrs.yaml")]}).status_code == 403
    assert client.get(page_url(world.other_study)).status_code == 404
    assert not StudyInstrument.objects.exists()


def test_the_redcap_reader_offers_to_add_the_forms_to_a_study(client, world, data_manager):
    """A bilingual dictionary (as this system exports one) reads on the reader page, which offers it to the study."""
    nrs, _problems = parse_definition(yaml.safe_load((FILES / "store_nrs.yaml").read_text(encoding="utf-8")))
    csv_text = write_data_dictionary([nrs])
    client.force_login(data_manager)
    read = client.post(reverse("instruments:datadictionary-upload"), {"file": file("nrs.csv", csv_text)})
    page = read.content.decode()
    assert 'id="add-to-study"' in page and page_url(world.study) in page and "Add to ALPHA" in page
    added = client.post(page_url(world.study), {"csv_text": csv_text, "file_name": "nrs.csv"})
    assert added.status_code == 200 and "Stored nrs version 1.0." in added.content.decode()
    assert StudyInstrument.objects.get().format == "redcap"


def test_an_english_only_dictionary_loads_for_a_study_in_english_only(client, world, data_manager):
    client.force_login(data_manager)
    # The study asks for both languages (the default): the English-only export is refused, row by row.
    refused = client.post(page_url(world.study), {"files": [file("store_redcap.csv")]})
    assert refused.status_code == 400
    assert "row 2 (recovery_1)" in refused.content.decode() and not StudyInstrument.objects.exists()

    english_only = NRS_PROTOCOL.replace("  target_enrolment: 10\n", "  languages: [en]\n").replace(
        "[nrs, phq9]", "[phq9]"
    )
    attach_protocol(world.study, english_only)  # the protocol now says the study is in English only
    added = client.post(page_url(world.study), {"files": [file("store_redcap.csv")]})
    assert added.status_code == 200
    assert set(StudyInstrument.objects.values_list("code", flat=True)) == {"recovery", "grip"}


def test_a_corrupted_stored_definition_breaks_only_its_own_form(client, world, make_persona, data_manager):
    client.force_login(data_manager)
    client.post(page_url(world.study), {"files": [file("store_nrs.yaml")]})
    attach_protocol(world.study, NRS_PROTOCOL)
    StudyInstrument.objects.update(definition="items: [", checksum="corrupted")

    broken = client.get(crf_url(world.participant_a))
    assert broken.status_code == 503
    assert "The study&#x27;s definition of nrs 1.0 no longer reads" in broken.content.decode()
    assert client.get(crf_url(world.participant_a, "phq9")).status_code == 200  # the library's forms still open
    assert "no longer reads" in client.get(page_url(world.study)).content.decode()
    api = client.post(
        reverse("workflows:api-response-list"),
        {"participant": world.participant_a.pk, "visit_code": "baseline", "activity_key": "nrs", "answers": {}},
        content_type="application/json",
    )
    assert api.status_code == 503 and "no longer reads" in api.json()["errors"]["instrument"]["en"]

    beta_admin = UserFactory(username="beta-admin")
    Membership.objects.create(user=beta_admin, study=world.other_study, role="admin", all_sites=True)
    client.force_login(beta_admin)
    assert client.get(reverse("studies:study-detail", args=[world.other_study.code])).status_code == 200
    call_command("check")


# Creating a study from the pages


def new_url() -> str:
    return reverse("workflows:study-new")


def gamma_protocol(instruments: str = "[nrs, phq9]") -> str:
    return protocol_head(code="gamma", title="Gamma study") + NRS_PROTOCOL.split(protocol_head(), 1)[1].replace(
        "[nrs, phq9]", instruments
    )


@pytest.fixture
def server_admin(db):
    return UserFactory(username="operator", is_staff=True, is_superuser=True)


def test_a_server_admin_creates_a_study_with_its_instruments_and_becomes_its_admin(client, server_admin):
    client.force_login(server_admin)
    assert client.get(new_url()).status_code == 200
    created = client.post(
        new_url(),
        {"file": file("gamma.yaml", gamma_protocol()), "files": [file("store_nrs.yaml")]},
    )
    assert created.status_code == 302 and created.url == reverse("studies:study-detail", args=["gamma"])
    study = Study.objects.get(code="gamma")
    assert Membership.objects.get(user=server_admin, study=study).role == "admin"
    assert StudyInstrument.objects.get().study_code == "gamma"
    assert client.get(page_url(study)).status_code == 200


def test_a_refused_new_study_lists_every_problem_and_stores_nothing(client, server_admin):
    client.force_login(server_admin)
    refused = client.post(
        new_url(),
        {
            "file": file("gamma.yaml", gamma_protocol("[nrs, walk6_typo]")),
            "files": [file("store_nrs.yaml"), file("store_walk.yaml")],
        },
    )
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "items[0].label.zh" in page  # store_walk.yaml is English only
    assert "walk6_typo" in page and "visits[0].activities.instruments[1]" in page
    assert not Study.objects.exists() and not StudyInstrument.objects.exists()


def test_a_study_that_exists_is_not_created_again(client, world, server_admin):
    client.force_login(server_admin)
    refused = client.post(new_url(), {"file": file("alpha.yaml", NRS_PROTOCOL.replace("[nrs, phq9]", "[phq9]"))})
    assert refused.status_code == 400 and "exists already" in refused.content.decode()


def test_only_server_admins_may_create_a_study_and_see_the_link(client, world, make_persona, server_admin):
    study_admin = make_persona("admin", all_sites=True)
    client.force_login(study_admin)
    assert client.get(new_url()).status_code == 403
    assert client.post(new_url(), {"file": file("gamma.yaml", gamma_protocol())}).status_code == 403
    assert new_url() not in client.get(reverse("home")).content.decode()
    client.force_login(server_admin)
    assert new_url() in client.get(reverse("home")).content.decode()


def test_the_catalogue_shows_a_study_definition_to_members_of_that_study_only(
    client, world, data_manager, make_persona
):
    client.force_login(data_manager)
    client.post(page_url(world.study), {"files": [file("store_nrs.yaml")]})
    detail = reverse("instruments:instrument-detail", args=["nrs", "1.0"])
    assert "nrs_now" in client.get(detail, {"study": "alpha"}).content.decode()
    assert client.get(detail).status_code == 404  # the library has no nrs
    csv = client.get(reverse("instruments:instrument-datadictionary", args=["nrs", "1.0"]), {"study": "alpha"})
    assert csv.status_code == 200 and "nrs_now" in b"".join(csv.streaming_content).decode()
    client.force_login(make_persona("coordinator", study=world.other_study, sites=[world.site_c]))
    assert client.get(detail, {"study": "alpha"}).status_code == 404


def test_a_post_without_files_says_a_file_is_required(client, world, data_manager):
    client.force_login(data_manager)
    refused = client.post(page_url(world.study), {})
    assert refused.status_code == 400 and "This field is required" in refused.content.decode()


def test_other_pages_of_a_corrupted_form_answer_404_not_a_server_error(client, world, data_manager):
    client.force_login(data_manager)
    client.post(page_url(world.study), {"files": [file("store_nrs.yaml")]})
    attach_protocol(world.study, NRS_PROTOCOL)
    StudyInstrument.objects.update(definition="items: [", checksum="corrupted-too")
    raise_url = reverse("queries:query-raise", args=[world.participant_a.pk, "baseline", "nrs"])
    assert client.get(raise_url).status_code == 404
