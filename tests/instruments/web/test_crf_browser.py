"""A coordinator enters the whole LBPB baseline battery in a real browser (Debian's chromium, Playwright)."""

import hashlib
import os
import random
from pathlib import Path

import pytest
import yaml

from accounts.services import membership_grant
from instruments.definitions import clean_responses, compute
from instruments.forms import score_text
from instruments.models import Response
from instruments.registry import get_instrument, instrument_codes
from studies.models import ProtocolVersion
from tests.browser import log_in
from tests.factories import ParticipantFactory, SiteFactory, StudyFactory, UserFactory

from .conftest import plausible, valid_text

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[3]


def lbpb_protocol_text() -> tuple[str, set[str]]:
    """protocols/lbpb.yaml without instruments the library does not hold yet (and their codes)."""
    data = yaml.safe_load((ROOT / "protocols" / "lbpb.yaml").read_text(encoding="utf-8"))
    known, dropped = instrument_codes(), set()
    for visit in data["visits"]:
        activities = visit.get("activities") or {}
        kept = []
        for entry in activities.get("instruments", []):
            code = entry if isinstance(entry, str) else entry["code"]
            if code in known:
                kept.append(entry)
            else:
                dropped.add(code)
        if "instruments" in activities:
            activities["instruments"] = kept
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False), dropped


@pytest.fixture
def lbpb(transactional_db):
    text, _dropped = lbpb_protocol_text()
    study = StudyFactory(code="lbpb", title="LBPB cohort")
    site = SiteFactory(study=study, code="01", name="Site one")
    SiteFactory(study=study, code="02", name="Site two")
    ProtocolVersion.objects.create(
        study=study,
        version="1.0",
        filename="lbpb.yaml",
        text=text,
        checksum=hashlib.sha256(text.encode()).hexdigest(),
        is_current=True,
    )
    user = UserFactory(username="coord")
    membership_grant(user=user, study=study, role="coordinator", sites=[site])
    participant = ParticipantFactory(site=site, identifier="LBPB-01-0001")
    baseline = next(visit for visit in yaml.safe_load(text)["visits"] if visit["code"] == "baseline")
    keys = []
    for entry in baseline["activities"]["instruments"]:
        keys.append((entry, entry) if isinstance(entry, str) else (entry.get("key", entry["code"]), entry["code"]))
    return participant, keys


def choose(page, code: str, value: str):
    control = page.locator(f"#item-{code} input[value='{value}']")
    page.click(f"label[for='{control.get_attribute('id')}']")


def fill_item(page, item, value):
    if item.type in ("single_choice", "yes_no") or page.locator(f"#item-{item.code} input[type=radio]").count():
        choose(page, item.code, value)
    elif item.type == "multiple_choice":
        for one in value:
            choose(page, item.code, one)
    else:
        page.fill(f"#id_{item.code}", value)


def fill_form(page, instrument, answers) -> dict:
    """Type every answer of a shown item, in order (so branching runs); return what was typed."""
    typed = {}
    for item in instrument.items:
        if not item.entered or page.locator(f"#item-{item.code}").is_hidden():
            continue
        fill_item(page, item, answers[item.code])
        typed[item.code] = answers[item.code]
    return typed


FILL_JS = """([order, answers]) => {
  const typed = {};
  for (const code of order) {
    const wrapper = document.querySelector(`[data-item="${code}"]`);
    if (wrapper.hidden) continue;
    const wanted = [].concat(answers[code]);
    const inputs = wrapper.querySelectorAll(`[name="${code}"]`);
    for (const input of inputs) {
      if (input.type === "radio" || input.type === "checkbox") input.checked = wanted.includes(input.value);
      else input.value = wanted[0];
    }
    inputs[0].dispatchEvent(new Event("change", {bubbles: true}));
    typed[code] = answers[code];
  }
  return typed;
}"""


def fill_form_fast(page, instrument, answers) -> dict:
    """The same answers as fill_form, set in one script run per form (with change events, so branching runs)."""
    order = [item.code for item in instrument.items if item.entered]
    return page.evaluate(FILL_JS, [order, answers])


def test_a_coordinator_enters_the_lbpb_baseline_battery(page, live_server, lbpb):
    participant, activities = lbpb
    log_in(page, live_server, "coord")
    base = f"{live_server.url}/instruments/participant/{participant.pk}/visit/baseline"

    # An out-of-range answer is refused next to its field; everything else typed stays.
    psqi = get_instrument("psqi")
    answers = {item.code: valid_text(item, random.Random(item.code)) for item in psqi.items}
    page.goto(f"{base}/psqi/")
    typed = fill_form(page, psqi, answers | {"psqi_4": "30"})
    page.click("button[value=complete]")
    page.wait_for_selector("#item-psqi_4 .invalid-feedback")
    assert page.inner_text("#item-psqi_4 .invalid-feedback") == "Must be in the range 0–24."
    assert page.input_value("#id_psqi_4") == "30"
    assert page.input_value("#id_psqi_1") == typed["psqi_1"]
    assert page.is_checked(f"#item-psqi_6 input[value='{typed['psqi_6']}']")
    assert not Response.objects.exists()
    if os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], "crf_psqi_error.png"), full_page=True)

    for key, code in activities:
        instrument = get_instrument(code)
        answers = {
            item.code: valid_text(item, random.Random(f"{key}-{item.code}"))
            for item in instrument.items
            if item.entered
        }
        answers = plausible(instrument, answers)
        page.goto(f"{base}/{key}/")
        # Typed and clicked like a person for the two forms checked closely; set by script for the rest (speed).
        typed = (fill_form if code in ("phq9", "psqi") else fill_form_fast)(page, instrument, answers)
        page.click("button[value=complete]")
        page.wait_for_selector("text=Saved.")
        stored = Response.objects.get(activity_key=key)
        assert stored.status == "complete", key
        expected = compute(instrument, clean_responses(instrument, typed, complete=True).values)
        assert stored.scores == expected, key
        if instrument.scorer and "total" in expected:
            assert page.inner_text("[data-score=total]") == score_text(expected["total"]), key
        if code == "phq9" and key == "phq9":
            assert page.inner_text("[data-score=total]") == str(sum(int(typed[f"phq9_{n}"]) for n in range(1, 10)))
    assert Response.objects.filter(status="complete").count() == len(activities)
    if os.environ.get("SCREENSHOT_DIR"):
        page.goto(f"{base}/bpi/")
        page.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], "crf_bpi_saved.png"), full_page=True)
