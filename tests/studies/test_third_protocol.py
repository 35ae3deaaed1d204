"""A third, unrelated protocol written from scratch works with no code change: other anchors (surgery,
discharge expected 3 days after surgery), three arms 2:1:1, a repeating visit, arm-only activities."""

from datetime import date

import pytest

from studies.protocol import ProtocolError, participant_id, project_visits

PERIOP = """
format: 1
study:
  code: PERIOP
  title: {en: "Regional blocks after lumbar fusion", zh: "腰椎融合术后区域阻滞"}
  registry: [{registry: ChiCTR, id: ChiCTR0000000000}]
  sponsor: {en: "Demo hospital", zh: "演示医院"}
  target_enrolment: 120
  design: randomised
  blinding: none                # arm-only content follows the arm in an open study (see test_blinded_arm_content)
  protocol_version: "2.0"
  protocol_date: 2026-02-01
  participant_id_pattern: "{site}/{seq:05d}"
sites:
  - {code: A, name: {en: "Site A", zh: "A中心"}}
  - {code: B, name: {en: "Site B", zh: "B中心"}, participant_id_pattern: "{study}{site}{seq:03d}"}
arms:
  - {code: esp, name: {en: "Erector spinae plane block", zh: "竖脊肌平面阻滞"}, ratio: 2}
  - {code: tlip, name: {en: "Thoracolumbar interfascial plane block", zh: "胸腰筋膜间平面阻滞"}, ratio: 1}
  - {code: control, name: {en: "Usual analgesia", zh: "常规镇痛"}, ratio: 1}
anchors:
  - {code: enrolment, label: {en: "Enrolment", zh: "入组"}}
  - {code: surgery, label: {en: "Surgery", zh: "手术"}}
  - {code: discharge, label: {en: "Discharge", zh: "出院"}, expected: {anchor: surgery, offset_days: 3}}
visits:
  - code: screening
    label: {en: "Screening", zh: "筛选"}
    anchor: enrolment
    offset_days: 0
    window_before: 0
    window_after: 14
    activities: {instruments: [demographics, paindetect, dn4, startback, vas]}
  - code: pod1
    label: {en: "Day 1 after surgery", zh: "术后第1天"}
    anchor: surgery
    offset_days: 1
    window_before: 0
    window_after: 0
    activities:
      instruments: [vas]
      acquisitions: [{type: hrv, arms: [esp, tlip]}]
  - code: discharge
    label: {en: "Discharge", zh: "出院"}
    anchor: discharge
    offset_days: 0
    window_before: 0
    window_after: 1
    activities: {instruments: [odi, ae_record]}
  - code: phone
    label: {en: "Weekly phone call", zh: "每周电话随访"}
    anchor: discharge
    offset_days: 7
    window_before: 2
    window_after: 2
    repeating: {every_days: 7, count: 4}
    activities: {instruments: [vas, sleep_diary]}
  - code: m3_mri
    label: {en: "3-month MRI", zh: "3个月磁共振"}
    anchor: surgery
    offset_days: 90
    window_before: 14
    window_after: 14
    arms: [esp, tlip]
    activities: {acquisitions: [{type: mri, series: [t2w_lumbar_sag]}]}
eligibility:
  fields:
    - {code: age, label: {en: "Age", zh: "年龄"}, type: integer}
    - {code: smoker, label: {en: "Current smoker", zh: "目前吸烟"}, type: boolean}
  inclusion:
    - code: inc_age
      text: {en: "Aged 40 to 75", zh: "年龄40至75岁"}
      rule: {field: age, op: between, value: [40, 75]}
  exclusion:
    - code: exc_smoker
      text: {en: "Current smoker", zh: "目前吸烟"}
      rule: {field: smoker, op: "==", value: true}
"""

D = date.fromisoformat


def test_it_parses_and_makes_participant_ids_from_either_pattern(parse_text):
    protocol = parse_text(PERIOP)
    assert [(a.code, a.ratio) for a in protocol.arms] == [("esp", 2), ("tlip", 1), ("control", 1)]
    assert participant_id(protocol, "A", 7) == "A/00007"
    assert participant_id(protocol, "B", 7) == "PERIOPB007"


def test_it_projects_repeating_calls_from_the_expected_discharge(parse_text):
    anchors = {"enrolment": D("2026-05-04"), "surgery": D("2026-05-11")}
    projected = project_visits(parse_text(PERIOP), "esp", anchors)
    assert [(p.code, p.occurrence, str(p.target), p.estimated) for p in projected] == [
        ("screening", 1, "2026-05-04", False),
        ("pod1", 1, "2026-05-12", False),
        ("discharge", 1, "2026-05-14", True),  # surgery + 3, expected
        ("phone", 1, "2026-05-21", True),
        ("phone", 2, "2026-05-28", True),
        ("phone", 3, "2026-06-04", True),
        ("phone", 4, "2026-06-11", True),
        ("m3_mri", 1, "2026-08-09", False),  # 11 May + 90: 20 + 30 + 31 + 9
    ]
    third_call = projected[5]
    assert (str(third_call.window_start), str(third_call.window_end)) == ("2026-06-02", "2026-06-06")


def test_the_real_discharge_date_replaces_the_expected_one(parse_text):
    anchors = {"enrolment": D("2026-05-04"), "surgery": D("2026-05-11"), "discharge": D("2026-05-15")}
    phone = [p for p in project_visits(parse_text(PERIOP), "esp", anchors) if p.code == "phone"]
    assert [(str(p.target), p.estimated) for p in phone] == [
        ("2026-05-22", False),
        ("2026-05-29", False),
        ("2026-06-05", False),
        ("2026-06-12", False),
    ]


def test_arm_only_visits_and_activities_follow_the_arm(parse_text):
    protocol = parse_text(PERIOP)
    anchors = {"enrolment": D("2026-05-04"), "surgery": D("2026-05-11")}
    control = {p.code: p for p in project_visits(protocol, "control", anchors)}
    esp = {p.code: p for p in project_visits(protocol, "esp", anchors)}
    assert "m3_mri" not in control and "m3_mri" in esp
    assert [a.code for a in control["pod1"].activities] == ["vas"]
    assert [a.code for a in esp["pod1"].activities] == ["vas", "hrv"]


def test_repeats_closer_than_their_window_overlap(parse_text):
    text = PERIOP.replace("repeating: {every_days: 7, count: 4}", "repeating: {every_days: 3, count: 4}")
    with pytest.raises(ProtocolError) as caught:
        parse_text(text)
    assert [(p.path, p.message) for p in caught.value.problems] == [
        ("visits[3]", "window (days 8 to 12 from discharge) overlaps visit 'phone' (days 5 to 9)")
    ]
