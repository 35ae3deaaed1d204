"""The biobank pages through HTTP: collection, the flags, lineage, placement, the box map and finding an ID."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from biobank import services
from biobank.models import Position, Specimen

from .conftest import at, collect, make_visit


@pytest.fixture
def staff(client, bank):
    client.force_login(bank.user)
    return client


def test_a_collection_posted_from_a_visit_is_recorded_and_its_late_step_flagged(staff, bank):
    url = reverse("biobank:specimen-collect", args=[bank.world.participant_a.pk])
    page = staff.get(url, {"visit": bank.visit.pk, "type": "blood", "key": "blood"})
    assert page.status_code == 200 and b'name="collected_at"' in page.content
    response = staff.post(
        url,
        {
            "visit": bank.visit.pk,
            "type_code": "blood",
            "activity_key": "blood",
            "collected_at": "2026-01-05T08:00",
            "centrifuged_at": "2026-01-05T10:30",
            "volume_ml": "8",
            "centrifuge_braking": "on",
        },
    )
    specimen = Specimen.objects.get()
    assert response.status_code == 302
    detail = staff.get(response.url).content.decode()
    assert specimen.label_id in detail
    assert "30 minutes over the limit" in detail
    assert specimen.activity_key == "blood" and specimen.visit == bank.visit


def test_a_bad_collection_re_renders_with_the_reason_and_saves_nothing(staff, bank):
    url = reverse("biobank:specimen-collect", args=[bank.world.participant_a.pk])
    data = {"visit": bank.visit.pk, "type_code": "blood", "collected_at": "2026-01-05T08:00"}
    response = staff.post(url, data | {"frozen_at": "2026-01-05T07:00"})
    assert response.status_code == 200 and b"out of order" in response.content
    response = staff.post(url, data | {"volume_ml": "-1"})
    assert response.status_code == 200 and b"is-invalid" in response.content
    assert not Specimen.objects.exists()


def test_not_collected_is_recorded_with_its_reason(staff, bank):
    url = reverse("biobank:specimen-not-collected", args=[bank.world.participant_a.pk])
    staff.post(url, {"visit": bank.visit.pk, "type_code": "stool", "reason": "No sample produced"})
    specimen = Specimen.objects.get()
    assert (specimen.status, specimen.not_collected_reason) == ("not_collected", "No sample produced")


def test_the_detail_shows_the_lineage_both_ways(staff, bank):
    blood = collect(bank, volume_ml=Decimal("4"))
    plasma = services.aliquot_split(user=bank.user, parent=blood, type_code="plasma", count=1, volume_ml=Decimal("2"))[
        0
    ]
    cells = services.aliquot_split(user=bank.user, parent=plasma, type_code="plasma", count=1, volume_ml=Decimal("1"))[
        0
    ]
    page = staff.get(reverse("biobank:specimen-detail", args=[plasma.pk])).content.decode()
    lineage = page[page.index('id="lineage"') :]
    assert lineage.index(blood.label_id) < lineage.index(plasma.label_id) < lineage.index(cells.label_id)


def test_aliquots_are_made_from_the_page_and_too_much_volume_is_refused(staff, bank):
    blood = collect(bank, volume_ml=Decimal("2"))
    url = reverse("biobank:specimen-aliquot", args=[blood.pk])
    staff.post(url, {"type_code": "plasma", "count": 2, "volume_ml": "0.5"})
    assert Specimen.objects.filter(parent=blood).count() == 2
    response = staff.post(url, {"type_code": "plasma", "count": 3, "volume_ml": "0.5"}, follow=True)
    assert "more than the 1.000 mL left" in response.content.decode()
    assert Specimen.objects.filter(parent=blood).count() == 2


def test_placing_outside_the_grid_or_on_a_taken_cell_says_why(staff, bank):
    first, second = collect(bank), collect(bank)
    url = reverse("biobank:specimen-place", args=[first.pk])
    staff.post(url, {"box": bank.box.pk, "position": "A1"})
    assert Position.objects.get(specimen=first).label == "A1"
    other = reverse("biobank:specimen-place", args=[second.pk])
    taken = staff.post(other, {"box": bank.box.pk, "position": "a 1"}, follow=True).content.decode()
    assert "That position is already taken." in taken
    outside = staff.post(other, {"box": bank.box.pk, "position": "J1"}, follow=True).content.decode()
    assert "outside the 9 × 9 grid" in outside
    assert not Position.objects.filter(specimen=second).exists()


def test_disposal_is_recorded_from_the_page(staff, bank):
    specimen = collect(bank)
    staff.post(reverse("biobank:specimen-dispose", args=[specimen.pk]), {"reason": "Tube broken"})
    specimen.refresh_from_db()
    assert specimen.status == "disposed"


def _queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()
    return len(queries), page


def test_the_box_map_shows_each_specimen_in_its_cell_with_queries_that_do_not_grow(staff, bank):
    for n in range(1, 6):
        services.specimen_place(user=bank.user, specimen=collect(bank), box=bank.box, row=n, col=n)
    url = reverse("biobank:freezer-detail", args=[bank.freezer.pk])
    few, page = _queries(staff, url)
    assert page.count('class="text-bg-success"') == 5
    assert "5 of 81 filled" in page
    for name in ("Box 2", "Box 3"):
        box = services.box_create(user=bank.user, rack=bank.rack, name=name, rows=3, cols=3)
        for cell in range(9):
            services.specimen_place(
                user=bank.user, specimen=collect(bank), box=box, row=cell // 3 + 1, col=cell % 3 + 1
            )
    many, page = _queries(staff, url)
    assert page.count('class="text-bg-success"') == 23
    assert many == few <= 16


def test_racks_and_boxes_are_added_from_the_freezer_page(staff, bank):
    url = reverse("biobank:freezer-detail", args=[bank.freezer.pk])
    staff.post(url, {"what": "rack", "name": "Shelf 2"})
    rack = bank.freezer.racks.get(name="Shelf 2")
    staff.post(url, {"what": "box", "rack": rack.pk, "name": "Box 9", "rows": 10, "cols": 10})
    assert rack.boxes.get().rows == 10
    response = staff.post(url, {"what": "box", "rack": rack.pk, "name": "Box 10", "rows": 30, "cols": 10})
    assert response.status_code == 200 and not rack.boxes.filter(name="Box 10").exists()


def test_a_scanned_id_opens_the_specimen_and_an_unknown_one_says_so(staff, bank):
    specimen = collect(bank)
    url = reverse("biobank:specimen-find", args=[bank.world.study.code])
    found = staff.get(url, {"q": specimen.label_id.lower()})
    assert found.status_code == 302 and found.url == reverse("biobank:specimen-detail", args=[specimen.pk])
    missing = staff.get(url, {"q": "alpha-XX999999"})
    assert missing.status_code == 200 and "No specimen with the ID" in missing.content.decode()


def test_a_site_a_coordinator_cannot_reach_a_site_b_specimen(client, bank, make_persona):
    visit_b = make_visit(bank.world.participant_b)
    specimen_b = services.specimen_collect(user=bank.user, visit=visit_b, type_code="blood", collected_at=at(8))
    client.force_login(bank.user)
    assert client.get(reverse("biobank:specimen-detail", args=[specimen_b.pk])).status_code == 404
    find = client.get(reverse("biobank:specimen-find", args=[bank.world.study.code]), {"q": specimen_b.label_id})
    assert find.status_code == 200


def test_the_participant_page_links_to_the_specimens(staff, bank):
    page = staff.get(reverse("participants:participant-detail", args=[bank.world.participant_a.pk]))
    assert reverse("biobank:participant-specimens", args=[bank.world.participant_a.pk]).encode() in page.content


def test_the_pages_read_in_chinese(staff, bank):
    specimen = collect(bank, centrifuged_at=at(10, 30))
    staff.cookies["django_language"] = "zh-hans"
    page = staff.get(reverse("biobank:specimen-detail", args=[specimen.pk])).content.decode()
    assert "样本谱系" in page and "超出时限 30 分钟" in page
    collect_page = staff.get(reverse("biobank:specimen-collect", args=[bank.world.participant_a.pk])).content.decode()
    assert "采集时间" in collect_page and "全血（EDTA）" in collect_page


def test_the_search_filters_by_type_visit_sprec_and_box_with_bounded_queries(staff, bank):
    blood = collect(bank, centrifuged_at=at(9), centrifuge_g=2000, centrifuge_minutes=10, centrifuge_temperature_c=4)
    services.specimen_place(user=bank.user, specimen=blood, box=bank.box, row=1, col=1)
    collect(bank, type_code="stool")
    url = reverse("biobank:specimen-list", args=[bank.world.study.code])
    few, page = _queries(staff, url)
    assert "2 specimens" in page
    assert blood.label_id in staff.get(url, {"sprec": "bld-ped-a-d"}).content.decode()
    assert "1 specimen" in staff.get(url, {"type": "stool", "visit": "baseline"}).content.decode()
    assert "1 specimen" in staff.get(url, {"box": "Box 1"}).content.decode()
    for _ in range(10):
        services.specimen_place(user=bank.user, specimen=collect(bank), box=bank.box, row=2 + _ // 9, col=1 + _ % 9)
    many, page = _queries(staff, url)
    assert "12 specimens" in page and many == few
