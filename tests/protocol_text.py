"""The common head of the small protocol files the tests write: study, sites and the enrolment anchor.

Each test module appends its own visits (and rules) to ``protocol_head(...)``.
"""

ALPHA_SITES = (("A", "Site A", "A中心"), ("B", "Site B", "B中心"))


def protocol_head(
    *,
    code: str = "alpha",
    title: str = "Alpha study",
    title_zh: str = "阿尔法研究",
    sites=ALPHA_SITES,
    design: str = "observational",
) -> str:
    site_lines = "".join(f'  - {{code: "{c}", name: {{en: "{en}", zh: "{zh}"}}}}\n' for c, en, zh in sites)
    return f"""
format: 1
study:
  code: {code}
  title: {{en: "{title}", zh: "{title_zh}"}}
  sponsor: {{en: "Test hospital", zh: "测试医院"}}
  target_enrolment: 10
  design: {design}
  protocol_version: "1.0"
  protocol_date: 2026-01-15
  participant_id_pattern: "{{study}}-{{site}}-{{seq:04d}}"
sites:
{site_lines}anchors:
  - {{code: enrolment, label: {{en: "Enrolment", zh: "入组"}}}}
"""
