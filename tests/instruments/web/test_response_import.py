"""The CSV import page: every row through response_submit, a report per row, all or nothing per file."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from instruments.models import Response
from tests.imports import post_import


def import_url(study_code="alpha"):
    return reverse("workflows:response-import", args=[study_code])


HEADER = "study_id,visit,activity," + ",".join(f"phq9_{n}" for n in range(1, 11))


def upload(text: str, encoding="utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile("import.csv", text.encode(encoding), content_type="text/csv")


def row(identifier: str, answer: str = "1", activity: str = "phq9", visit: str = "baseline") -> str:
    return ",".join([identifier, visit, activity] + [answer] * 9 + [""])


def test_a_good_file_saves_every_row(client, alpha, coordinator):
    client.force_login(coordinator)
    text = "\n".join([HEADER, row("ALPHA-A-0001"), row("ALPHA-A-0002", "3", activity="phq9_family")])
    html = post_import(client, import_url(), {"file": upload(text), "complete": "on"}).content.decode()
    assert "2 forms saved." in html
    family = Response.objects.get(activity_key="phq9_family")
    assert family.scores["total"] == 27 and family.source == "import" and family.status == "complete"


def test_one_bad_row_saves_nothing_and_each_row_says_why(client, alpha, coordinator):
    client.force_login(coordinator)
    text = "\n".join(
        [HEADER, row("ALPHA-A-0001"), row("ALPHA-A-0002", "9"), row("ALPHA-B-0001"), row("ALPHA-A-0003", visit="m6")]
    )
    html = post_import(client, import_url(), {"file": upload(text), "complete": "on"}).content.decode()
    assert "Nothing was saved" in html
    assert "phq9_1: Choose one of the listed options." in html
    assert "Unknown study ID ALPHA-B-0001." in html  # another site's participant is unknown, like a missing one
    assert "No form phq9 at visit m6 in the current protocol." in html
    assert "Valid, not saved" in html
    assert not Response.objects.exists()


def test_changing_complete_forms_by_import_needs_a_reason(client, alpha, coordinator):
    client.force_login(coordinator)
    post_import(client, import_url(), {"file": upload("\n".join([HEADER, row("ALPHA-A-0001")])), "complete": "on"})
    html = post_import(
        client, import_url(), {"file": upload("\n".join([HEADER, row("ALPHA-A-0001", "2")])), "complete": "on"}
    ).content.decode()
    assert "give a reason for the change" in html
    assert Response.objects.get().scores["total"] == 9
    post_import(
        client,
        import_url(),
        {"file": upload("\n".join([HEADER, row("ALPHA-A-0001", "2")])), "complete": "on", "reason": "Re-keyed"},
    )
    assert Response.objects.get().scores["total"] == 18


def test_unreadable_files_are_refused_with_a_message(client, alpha, coordinator):
    client.force_login(coordinator)
    html = post_import(client, import_url(), {"file": upload("ç,a,b,c\n", encoding="latin-1")}).content.decode()
    assert "not UTF-8" in html
    html = post_import(client, import_url(), {"file": upload("only,a,header\n")}).content.decode()
    assert "needs a header row and at least one data row" in html
    assert not Response.objects.exists()


def test_read_only_roles_cannot_import(client, alpha, make_persona):
    client.force_login(make_persona("monitor"))
    assert client.get(import_url()).status_code == 403
    assert client.post(import_url(), {"file": upload("\n".join([HEADER, row("ALPHA-A-0001")]))}).status_code == 403
    assert not Response.objects.exists()


def test_another_study_is_404(client, alpha, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("workflows:response-import", args=["beta"])).status_code == 404
