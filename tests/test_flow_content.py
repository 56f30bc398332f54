"""Content checks for the real guides in ``flows/``.

These tests read the shipped YAML files, not fixtures: they fail when a guide is missing, when a
path through a guide dead-ends, when a message would not fit Telegram, when a guide that talks
about OTP codes or passwords forgets the safety rule, or when a phone number, short code or web
address appears that the fact sheets do not back.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.engine.render import fill
from bot.flowspec import load_flows
from bot.flowspec.graph import StepGraph, default_next
from bot.flowspec.model import (
    BUTTONS_MAX,
    LABEL_MAX,
    PLACEHOLDER_RE,
    PLACEHOLDERS,
    SHORT_TITLE_MAX,
    Action,
    EndKind,
    Flow,
    Step,
)

ROOT = Path(__file__).resolve().parents[1]
FLOWS_DIR = ROOT / "flows"
# The shared fact sheets sit next to the checkout (../shared), or further up for a git worktree.
SHARED_DOMAIN = next(
    (d / "shared" / "domain" for d in ROOT.parents if (d / "shared" / "domain").is_dir()),
    ROOT.parent / "shared" / "domain",
)
FACT_SHEETS = (SHARED_DOMAIN / "facts.md", SHARED_DOMAIN / "facts-more.md")

# The topic guides of issue 5: each flow's id is the NLU intent that opens it.
TOPIC_INTENTS = (
    "vneid_install",
    "vneid_level2",
    "vneid_activate",
    "vneid_login",
    "vneid_documents",
    "vssid_install",
    "vssid_login",
    "vssid_lookup",
    "payment_bank_app",
    "payment_qr",
    "payment_ewallet",
    "payment_bills",
    "public_services",
    "scam_report",
    "sim_4g",
)
# The guides of issue 16, for the v2 intents of shared/nlu/intents.md.
V2_INTENTS = (
    "payment_transfer",
    "admin_reorg",
    "vneid_residence",
    "vneid_health_book",
    "digital_signature",
)
GUIDES = TOPIC_INTENTS + V2_INTENTS

# Telegram: 4096 characters per message (counted in UTF-16 code units), 64 bytes of callback data.
TELEGRAM_MESSAGE_MAX = 4096
CALLBACK_DATA_MAX = 64
# Our own budget: one small action per step, readable on a phone without scrolling far.
STEP_TEXT_BUDGET = 900
MIN_MAIN_STEPS = 6

# Long-ish commune details, to make sure a filled message still fits.
LONG_PLACEHOLDERS = {
    "commune": "xã Thượng Hòa Trung Nam, huyện Cửu Long Giang, tỉnh Quảng Bình Trị",
    "team_name": "Tổ công nghệ số cộng đồng xã Thượng Hòa Trung Nam (thôn Đông, thôn Tây)",
    "team_phone": "0912 345 678 hoặc 0987 654 321",
}

# Phone numbers and short codes a guide may tell residents, each backed by facts.md §1.4 / §2
# or by facts-more.md (§5: only the numbers it confirms on an official page; it says VNPT 1800 1166
# and Viettel 1800 8119 are NOT verified, so they are not here).
ALLOWED_LONG_NUMBERS = {
    "19009068",  # BHXH / VssID
    "02437899999",  # BHXH, office hours
    "1900545441",  # MoMo emergency lock
    "18009000",  # Viettel Money
    "19006600",  # FPT Telecom (facts-more §5, fpt.vn)
    "02462660198",  # Viettel's official caller for subscriber updates (facts-more §5)
    "02466888098",  # Viettel's official caller for subscriber updates (facts-more §5)
    "0888001091",  # VinaPhone's official caller for subscriber updates (facts-more §5)
    "0911001091",  # VinaPhone's official caller for subscriber updates (facts-more §5)
}
ALLOWED_SHORT_CODES = {"156", "5656", "8079", "9191", "998"}  # *998# Viettel Money

SENSITIVE = re.compile(r"\bOTP\b|mật khẩu|passcode|căn cước", re.IGNORECASE)
URL_RE = re.compile(r"https?://[^\s)\"'*]+")
NUMBER_RE = re.compile(r"(?<![\d./,])\*?\d(?:\d| (?=\d))*\d#?(?![\d/])")
VIETNAMESE_MARKS = set("ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ")


@dataclass(frozen=True)
class Guides:
    flows: dict[str, Flow]
    files: dict[str, str]
    problems: list[str]


@pytest.fixture(scope="module")
def guides() -> Guides:
    loaded, problems = load_flows([FLOWS_DIR])
    return Guides(
        flows={item.flow.id: item.flow for item in loaded},
        files={item.flow.id: item.file for item in loaded},
        problems=[str(p) for p in problems],
    )


def _topic(guides: Guides, intent: str) -> Flow:
    assert intent in guides.flows, f"no guide `{intent}` in {FLOWS_DIR}"
    return guides.flows[intent]


def _fill(text: str, places: dict[str, str] = LONG_PLACEHOLDERS) -> str:
    """The text as a resident reads it, filled by the engine itself."""
    return fill(text, places)


def _texts(flow: Flow) -> Iterator[tuple[str, str]]:
    """(where, text) for every text a resident reads in a flow."""
    yield "title", flow.title
    yield "summary", flow.summary
    for step in flow.steps:
        yield f"{step.id}.text", step.text
        for button in step.buttons:
            yield f"{step.id}.button", button.label


def _is_safety_step(step: Step) -> bool:
    text = step.text.lower()
    return "🔒" in step.text and "không" in text and "otp" in text


@dataclass(frozen=True)
class Path_:
    steps: tuple[str, ...]
    ending: str  # "end:<kind>", "action:<name>", "flow:<id>" or "cycle"
    safety_seen: bool


def _walk(flow: Flow, limit: int = 20000) -> list[Path_]:
    """Every simple path from the first step, following buttons and the standard "Xong".

    A path stops at a step with ``end``, at a button that leaves the step graph (an action or
    another flow), or where it would revisit a step already on it (a loop back, e.g. a detour
    that returns to the step it came from). A step with nowhere to go is a dead end: the walk
    raises so the test names it.
    """
    index = {step.id: i for i, step in enumerate(flow.steps)}
    paths: list[Path_] = []

    def visit(step_id: str, trail: tuple[str, ...], safe: bool) -> None:
        assert len(paths) < limit, f"{flow.id}: more than {limit} paths, is a loop unbounded?"
        i = index[step_id]
        step = flow.steps[i]
        trail = (*trail, step_id)
        safe = safe or _is_safety_step(step)
        if step.end is not None:
            paths.append(Path_(trail, f"end:{step.end.value}", safe))
            return
        exits = 0
        for button in step.buttons:
            if button.action is not None:
                paths.append(Path_(trail, f"action:{button.action.value}", safe))
                exits += 1
            elif button.flow is not None:
                paths.append(Path_(trail, f"flow:{button.flow}", safe))
                exits += 1
        targets = [b.next for b in step.buttons if b.next is not None]
        implicit = default_next(flow, i)
        if implicit is not None:
            targets.append(implicit)
        for target in dict.fromkeys(targets):
            assert target in index, f"{flow.id}.{step_id}: goes to unknown step `{target}`"
            exits += 1
            if target in trail:
                paths.append(Path_((*trail, target), "cycle", safe))
            else:
                visit(target, trail, safe)
        assert exits, f"{flow.id}.{step_id}: dead end (no end, no next, no button)"

    visit(flow.steps[0].id, (), False)
    return paths


# --- the set of guides ---------------------------------------------------------------------


def test_flows_directory_validates(guides: Guides) -> None:
    assert guides.problems == []
    assert len(guides.flows) >= len(GUIDES)


@pytest.mark.parametrize("intent", GUIDES)
def test_topic_guide_exists_with_its_intent(guides: Guides, intent: str) -> None:
    flow = _topic(guides, intent)
    assert flow.intents == [intent]
    assert Path(guides.files[intent]).name == f"{intent}.yml"
    assert flow.keywords, "keywords are the fallback when NLU is down"


@pytest.mark.parametrize("intent", GUIDES)
def test_metadata(guides: Guides, intent: str) -> None:
    flow = _topic(guides, intent)
    assert flow.reviewed is not None
    assert flow.sources, "every guide lists where its facts come from"
    for url in flow.sources:
        assert url.startswith(("http://", "https://")), url
    assert 1 <= len(flow.related) <= 2
    assert intent not in flow.related
    for other in flow.related:
        assert other in guides.flows
    assert flow.menu_group.value in {"vneid", "vssid", "payment", "safety", "other"}
    if intent.startswith(("vneid_", "vssid_", "payment_")):
        assert flow.menu_group.value == intent.split("_")[0]


def _facts() -> str:
    return "\n".join(sheet.read_text(encoding="utf-8") for sheet in FACT_SHEETS)


facts_needed = pytest.mark.skipif(
    not all(sheet.exists() for sheet in FACT_SHEETS),
    reason="the shared fact sheets are not checked out",
)


@facts_needed
@pytest.mark.parametrize("intent", GUIDES)
def test_sources_and_addresses_come_from_the_fact_sheets(guides: Guides, intent: str) -> None:
    facts = _facts()
    flow = _topic(guides, intent)
    for url in flow.sources:
        assert url in facts, f"source not in the fact sheets: {url}"
    for where, text in _texts(flow):
        for url in URL_RE.findall(text):
            assert url.rstrip(".,") in facts, f"{intent} {where}: address not in fact sheets: {url}"


@facts_needed
def test_allowed_numbers_are_in_the_fact_sheets() -> None:
    """The allow-list above cannot drift from what the fact sheets actually say."""
    joined = re.sub(r"(?<=\d)[ .](?=\d)", "", _facts())  # "1900 54 54 41" -> "1900545441"
    for number in ALLOWED_LONG_NUMBERS | ALLOWED_SHORT_CODES:
        assert re.search(rf"(?<!\d){number}(?!\d)", joined), f"{number} is not in the fact sheets"


# --- the v2 guides on the menu ----------------------------------------------------------------

V2_MENU_GROUPS = {
    "payment_transfer": "payment",
    "admin_reorg": "other",
    "vneid_residence": "vneid",
    "vneid_health_book": "vneid",
    "digital_signature": "other",
}


@pytest.mark.parametrize("intent", V2_INTENTS)
def test_v2_guide_has_a_short_menu_label_and_place(guides: Guides, intent: str) -> None:
    flow = _topic(guides, intent)
    assert flow.short_title, "a menu button label that fits a 360 px phone"
    assert len(flow.short_title) <= SHORT_TITLE_MAX
    assert "menu_order" in flow.model_fields_set, "place it among its group's guides"
    assert flow.menu_group.value == V2_MENU_GROUPS[intent]


def test_short_titles_are_unique_and_groups_fit_one_screen(guides: Guides) -> None:
    labels = [f.short_title or f.title for f in guides.flows.values()]
    assert len(labels) == len(set(labels))
    groups: dict[str, int] = {}
    for flow in guides.flows.values():
        groups[flow.menu_group.value] = groups.get(flow.menu_group.value, 0) + 1
    for group, count in groups.items():
        assert count + 1 <= BUTTONS_MAX, f"menu group {group}: {count} guides + Menu button"


# --- paths through each guide ----------------------------------------------------------------


@pytest.mark.parametrize("intent", GUIDES)
def test_every_path_ends_properly_and_every_step_is_walked(guides: Guides, intent: str) -> None:
    flow = _topic(guides, intent)
    paths = _walk(flow)
    walked = {sid for path in paths for sid in path.steps}
    assert walked == {s.id for s in flow.steps}, "steps no path reaches"
    endings = {p.ending for p in paths}
    assert endings & {"end:completed", "end:pending"}, "no path reaches the goal of the guide"
    # A loop back is fine only if the step it returns to can still finish.
    graph = StepGraph.of(flow)
    for path in paths:
        if path.ending == "cycle":
            assert path.steps[-1] in graph.can_finish, path.steps


@pytest.mark.parametrize("intent", GUIDES)
def test_endings_are_worded_for_their_kind(guides: Guides, intent: str) -> None:
    """Only a guide finished here and now congratulates (🎉); waiting, hand-off and aborted
    endings never claim the goal was reached."""
    flow = _topic(guides, intent)
    for step in flow.steps:
        if step.end is EndKind.completed:
            assert "🎉" in step.text, f"{step.id}: a finished guide congratulates the resident"
            assert not step.side
        elif step.end is not None:
            assert "🎉" not in step.text, f"{step.id}: `end: {step.end.value}` is not a success"
            for claim in ("làm được rồi", "vào lại được", "thành công", "đã có tài khoản"):
                assert claim not in step.text.lower(), f"{step.id}: claims success ({claim})"


@pytest.mark.parametrize("intent", GUIDES)
def test_only_completed_endings_congratulate(guides: Guides, intent: str) -> None:
    """A guide that ends at the team or at an office ("ra xã nộp hồ sơ") is not finished."""
    flow = _topic(guides, intent)
    for step in flow.steps:
        if step.end is not None and step.end is not EndKind.completed:
            assert "🎉" not in step.text, f"{step.id}: ends `{step.end.value}` but congratulates"


@pytest.mark.parametrize("intent", GUIDES)
def test_unverified_steps_send_the_resident_to_the_team(guides: Guides, intent: str) -> None:
    """Where the fact sheets stop, a guide says so and hands over instead of guessing."""
    flow = _topic(guides, intent)
    for step in flow.steps:
        if "chưa kiểm chứng" not in step.text:
            continue
        to_team = (
            any(f"{{{name}}}" in step.text
                for name in ("team_name", "team_phone", "team_contact", "team_help"))
            or step.end is EndKind.handoff
            or any(b.action is Action.handoff for b in step.buttons)
        )
        assert to_team, f"{step.id}: unverified, but no way to the commune team"


@pytest.mark.parametrize("intent", GUIDES)
def test_guide_has_a_real_main_path(guides: Guides, intent: str) -> None:
    flow = _topic(guides, intent)
    main = [s for s in flow.steps if not s.side]
    assert len(main) >= MIN_MAIN_STEPS
    assert not flow.steps[0].side
    graph = StepGraph.of(flow)
    # The first step carries a progress number ("Bước 1/N").
    first = graph.progress(flow.steps[0].id, ())
    assert first is not None and first[0] == 1


# --- safety ----------------------------------------------------------------------------------


@pytest.mark.parametrize("intent", GUIDES)
def test_sensitive_guides_carry_the_safety_rule_on_every_successful_path(
    guides: Guides, intent: str
) -> None:
    flow = _topic(guides, intent)
    if not any(SENSITIVE.search(text) for _, text in _texts(flow)):
        pytest.skip("guide never mentions OTP, passwords, passcodes or ID cards")
    assert any(_is_safety_step(s) for s in flow.steps)
    for path in _walk(flow):
        if path.ending == "end:completed":
            assert path.safety_seen, f"path without the 🔒 rule: {' > '.join(path.steps)}"


OFFLINE = re.compile(r"chế độ máy bay|tắt máy|tắt điện thoại|ngắt mạng", re.IGNORECASE)


def _offline_cuts_off(step: Step) -> bool:
    """Telling the resident to go offline mid-guide hides every later step from them: the
    instruction must be the last thing the message says, and the guide must end there or the
    message must already hold the urgent call to the bank."""
    found = list(OFFLINE.finditer(step.text))
    if not found:
        return False
    before = step.text[: found[0].start()].lower()
    last_line = step.text.strip().splitlines()[-1]
    return not OFFLINE.search(last_line) or (step.end is None and "ngân hàng" not in before)


@pytest.mark.parametrize("intent", V2_INTENTS)
def test_going_offline_never_cuts_the_resident_off(guides: Guides, intent: str) -> None:
    flow = _topic(guides, intent)
    for step in flow.steps:
        assert not _offline_cuts_off(step), f"{step.id}: urgent advice after going offline"


def test_offline_check_can_fail() -> None:
    cut = Step(id="a", text="Bác bật chế độ máy bay.\nRồi gọi ngân hàng.")
    late = Step(id="b", text="Bác bật chế độ máy bay.")
    fine = Step(id="c", text="Gọi ngay ngân hàng để khóa tài khoản. Sau đó bác bật chế độ máy bay.")
    assert _offline_cuts_off(cut) and _offline_cuts_off(late) and not _offline_cuts_off(fine)


def test_scam_report_opens_with_the_urgent_actions(guides: Guides) -> None:
    flow = _topic(guides, "scam_report")
    first = flow.steps[0]
    text = first.text.lower()
    assert "ngân hàng" in text and "ngay" in text and "công an" in text
    assert "156" in text
    # The urgent bank call comes before anything else in the message.
    assert text.index("ngân hàng") < 200
    labels = [b.label.lower() for b in first.buttons]
    assert any("mất tiền" in label for label in labels)
    assert any("otp" in label for label in labels)
    assert any("nghi" in label for label in labels)
    lost = next(b for b in first.buttons if "mất tiền" in b.label.lower())
    assert lost.next is not None
    lost_step = next(s for s in flow.steps if s.id == lost.next)
    assert "ngân hàng" in lost_step.text.lower()


# --- what a resident reads -------------------------------------------------------------------


@pytest.mark.parametrize("intent", GUIDES)
def test_messages_fit_telegram(guides: Guides, intent: str) -> None:
    flow = _topic(guides, intent)
    for step in flow.steps:
        filled = _fill(step.text)
        assert not PLACEHOLDER_RE.search(filled), f"{step.id}: unfilled placeholder"
        assert "{" not in filled and "}" not in filled, f"{step.id}: stray brace"
        assert len(filled.encode("utf-16-le")) // 2 <= TELEGRAM_MESSAGE_MAX
        assert len(filled) <= STEP_TEXT_BUDGET, f"{step.id}: keep one step short"
        for j, button in enumerate(step.buttons):
            assert len(button.label) <= LABEL_MAX
            assert "{" not in button.label
            target = button.next or button.flow or (button.action and button.action.value)
            payload = f"{flow.id}:{step.id}:{j}:{target}"
            assert len(payload.encode()) <= CALLBACK_DATA_MAX, payload
        for name in PLACEHOLDER_RE.findall(step.text):
            assert name in PLACEHOLDERS


@pytest.mark.parametrize("intent", GUIDES)
def test_only_known_hotlines_and_short_codes(guides: Guides, intent: str) -> None:
    flow = _topic(guides, intent)
    for where, text in _texts(flow):
        for url in URL_RE.findall(text):
            text = text.replace(url, " ")
        for match in NUMBER_RE.finditer(text):
            digits = re.sub(r"[\s*#]", "", match.group())
            if len(digits) >= 7:
                assert digits in ALLOWED_LONG_NUMBERS, f"{intent} {where}: unknown number {digits}"
            elif len(digits) >= 3 and not 2020 <= int(digits) <= 2030:
                assert digits in ALLOWED_SHORT_CODES, f"{intent} {where}: unknown code {digits}"


@pytest.mark.parametrize("intent", GUIDES)
def test_register_and_diacritics(guides: Guides, intent: str) -> None:
    flow = _topic(guides, intent)
    all_text = "\n".join(text for _, text in _texts(flow))
    # The resident is "bác"; the assistant calls itself "cháu", never "em".
    assert re.search(r"\bbác\b", all_text, re.IGNORECASE)
    assert not re.search(r"(?<!\w)em(?!\w)", all_text, re.IGNORECASE)
    # Every step is written with Vietnamese diacritics (NFC, as residents' phones send it).
    for step in flow.steps:
        assert unicodedata.normalize("NFC", step.text) == step.text, step.id
        assert VIETNAMESE_MARKS & set(step.text.lower()), f"{step.id}: no diacritics"


@pytest.mark.parametrize("intent", GUIDES)
def test_platform_choices_use_the_platform_slot(guides: Guides, intent: str) -> None:
    flow = _topic(guides, intent)
    for step in flow.steps:
        values = {b.value for b in step.buttons if b.value}
        if values & {"android", "iphone"}:
            assert step.slot == "platform", step.id
            assert {"android", "iphone"} <= values, step.id
        labels = " ".join(b.label.lower() for b in step.buttons)
        if "android" in labels and "iphone" in labels:
            assert step.slot == "platform", step.id
        if values & {"momo", "zalopay", "viettel_money"}:
            assert step.slot == "wallet", step.id


def _tiny(steps: list[dict[str, object]]) -> Flow:
    return Flow.model_validate({"id": "tiny", "title": "t", "summary": "s", "steps": steps})


def test_walker_sees_loops_and_unreached_steps() -> None:
    """The path walker is the heart of these tests: make sure it can fail."""
    flow = _tiny(
        [
            {"id": "a", "text": "x", "buttons": [{"label": "b", "next": "b"}]},
            {"id": "b", "text": "y", "buttons": [{"label": "a", "next": "a"}]},
            {"id": "c", "text": "z", "end": "completed"},
        ]
    )
    paths = _walk(flow)
    assert {p.ending for p in paths} == {"cycle"}
    assert {sid for p in paths for sid in p.steps} == {"a", "b"}


def test_walker_catches_a_dead_end() -> None:
    flow = _tiny([{"id": "a", "text": "x"}, {"id": "b", "text": "y"}])
    with pytest.raises(AssertionError, match="dead end"):
        _walk(flow)


def test_walker_tracks_the_safety_rule() -> None:
    flow = _tiny(
        [
            {
                "id": "a",
                "text": "x",
                "buttons": [{"label": "safe", "next": "b"}, {"label": "fast", "next": "c"}],
            },
            {"id": "b", "text": "🔒 Không đọc mã OTP cho ai.", "next": "c"},
            {"id": "c", "text": "🎉", "end": "completed"},
        ]
    )
    seen = {p.steps: p.safety_seen for p in _walk(flow)}
    assert seen == {("a", "b", "c"): True, ("a", "c"): False}
