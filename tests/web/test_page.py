"""The chat page in headless Chromium against a scripted /api/chat, under a strict CSP.

The scripted server answers, fails, or answers slowly as each test needs (the real engine is
covered by test_browser.py); the page is the real one from bot/channels/web/static. Every
page is served with the Content-Security-Policy a production proxy would set, and a test fails
on any script error or CSP violation.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.async_api import Page, async_playwright, expect
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot.app import Runtime
from bot.channels.links import find_links
from bot.channels.web.app import STATIC
from bot.communes import CommuneDirectory
from bot.engine.render import fill
from tests.conftest import ROOT
from tests.server import serving
from tests.web.test_browser import CHROMIUM, FLAGS, HAVE_CHROMIUM

pytestmark = pytest.mark.browser
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; base-uri 'none'; form-action 'self'")
PHONE = {"width": 360, "height": 740}
STEP = {"text": "**Bước 1/3**\nBác mở CH Play.", "image": None,
        "buttons": [{"label": "✅ Xong", "payload": "n:demo.one"},
                    {"label": "🏠 Menu", "payload": "c:menu"}]}
NEXT = {"text": "**Bước 2/3**\nBác bấm Cài đặt.", "image": None,
        "buttons": [{"label": "✅ Xong", "payload": "n:demo.two"}]}
GREETING = {"text": "Cháu chào bác ạ!", "image": None,
            "buttons": [{"label": "Mở hướng dẫn", "payload": "f:demo"}]}
ENGLISH = re.compile(r"fail|fetch|error|network|undefined|null", re.IGNORECASE)


@dataclass
class Scripted:
    """What /api/chat answers next; every request it got."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    failures: int = 0  # answer 503 to this many requests
    delay: float = 0.0
    guide: Any = None
    with_guide: bool = True
    answers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def reply(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        key = body.get("payload") or body.get("text") or ""
        if key in self.answers:
            return self.answers[key]
        if key == "f:demo":
            return [STEP]
        if key == "n:demo.one":
            return [NEXT]
        return [GREETING]

    async def chat(self, request: Request) -> Response:
        body = await request.json()
        self.requests.append(body)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.failures > 0:
            self.failures -= 1
            return JSONResponse({"error": "internal error"}, status_code=503)
        answer: dict[str, Any] = {"messages": self.reply(body)}
        if self.with_guide:
            answer["guide"] = self.guide
        return JSONResponse(answer)

    def sent(self, key: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if key in (r.get("payload"), r.get("text"))]


@dataclass
class Tab:
    page: Page
    base: str
    script: Scripted
    problems: list[str]

    async def open(self, path: str = "/") -> None:
        await self.page.goto(self.base + path)
        await expect(self.page.locator(".msg.bot").last).to_be_visible()

    async def stop_time(self) -> None:
        """From now on the page's timers fire only when the test moves its clock."""
        await self.page.clock.pause_at(await self.page.evaluate("Date.now()") + 100)

    async def tap(self, label: str) -> None:
        await self.page.get_by_role("button", name=label).last.click()


def page_app(script: Scripted) -> Starlette:
    async def index(_: Request) -> Response:
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8",
                            headers={"Content-Security-Policy": CSP})

    return Starlette(routes=[
        Route("/", index),
        Route("/api/chat", script.chat, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC)),
    ])


@pytest.fixture
async def tab(request: pytest.FixtureRequest) -> AsyncIterator[Tab]:
    if not HAVE_CHROMIUM:
        pytest.fail("Chromium is missing: `make browser` installs Debian's chromium")
    viewport = getattr(request, "param", PHONE)
    script = Scripted()
    async with serving(page_app(script)) as base, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = await browser.new_context(viewport=viewport, is_mobile=viewport["width"] < 800,
                                            has_touch=True, locale="vi-VN")
        page = await context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
        page.on("console", lambda m: problems.append(m.text)
                if "Content Security Policy" in m.text else None)
        yield Tab(page, base, script, problems)
        await browser.close()
    assert problems == []


async def eventually(condition: Callable[[], bool]) -> None:
    for _ in range(100):  # a deadline only against hanging forever
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition never became true")


async def log_text(tab: Tab) -> str:
    return await tab.page.locator("#log").inner_text()


# ----------------------------------------------------------------------- slow, failing network
async def test_a_failed_request_is_retried_and_said_in_vietnamese(tab: Tab) -> None:
    await tab.page.clock.install()
    await tab.open()
    await tab.stop_time()
    await tab.tap("Mở hướng dẫn")
    tab.script.failures = 2
    await tab.tap("✅ Xong")
    notice = tab.page.locator(".notice")
    await expect(notice).to_contain_text("Mạng đang chậm")
    assert not ENGLISH.search(await log_text(tab))
    await tab.page.clock.run_for(1000)
    await expect(notice).to_contain_text("sau 2 giây")
    await tab.page.clock.run_for(2000)
    await expect(tab.page.locator(".msg.bot").last).to_contain_text("Bước 2/3")
    await expect(notice).to_have_count(0)
    tries = tab.script.sent("n:demo.one")
    assert len(tries) == 3 and len({t["id"] for t in tries}) == 1  # one message, sent 3 times


async def test_when_retries_run_out_the_last_step_stays_usable(tab: Tab) -> None:
    await tab.page.clock.install()
    await tab.open()
    await tab.stop_time()
    await tab.tap("Mở hướng dẫn")
    await tab.page.route("**/api/chat", lambda route: route.abort())  # the network is gone
    await tab.tap("✅ Xong")
    notice = tab.page.locator(".notice")
    for _ in range(6):
        await expect(notice).to_be_visible()
        await tab.page.clock.run_for(9000)
    await expect(notice).to_contain_text("Cháu chưa gửi được tin của bác")
    assert not ENGLISH.search(await log_text(tab))
    last_step = tab.page.locator(".msg.bot").last
    await expect(last_step.get_by_role("button", name="✅ Xong")).to_be_enabled()
    await expect(last_step.get_by_role("button", name="🏠 Menu")).to_be_enabled()
    assert tab.script.sent("n:demo.one") == []
    await tab.page.unroute("**/api/chat")
    await notice.get_by_role("button", name="🔄 Gửi lại").click()
    await expect(tab.page.locator(".msg.bot").last).to_contain_text("Bước 2/3")
    assert len(tab.script.sent("n:demo.one")) == 1


async def test_a_new_tap_replaces_a_message_that_could_not_be_sent(tab: Tab) -> None:
    await tab.page.clock.install()
    await tab.open()
    await tab.stop_time()
    await tab.tap("Mở hướng dẫn")
    tab.script.failures = 1
    await tab.page.fill("#text", "tôi làm xong rồi")
    await tab.page.press("#text", "Enter")
    await expect(tab.page.locator(".notice")).to_be_visible()
    await tab.tap("✅ Xong")  # the step is still usable while the retry waits
    await expect(tab.page.locator(".msg.bot").last).to_contain_text("Bước 2/3")
    await expect(tab.page.locator(".msg.me.failed")).to_have_text("tôi làm xong rồi")
    await tab.page.clock.run_for(30000)  # the replaced message's retry never fires
    assert len(tab.script.sent("tôi làm xong rồi")) == 1


async def test_offline_waits_for_the_network_then_sends(tab: Tab) -> None:
    await tab.open()
    await tab.tap("Mở hướng dẫn")
    await tab.page.context.set_offline(True)
    await tab.tap("✅ Xong")
    await expect(tab.page.locator(".notice")).to_contain_text("mất mạng")
    await tab.page.context.set_offline(False)
    await expect(tab.page.locator(".msg.bot").last).to_contain_text("Bước 2/3")
    assert len(tab.script.sent("n:demo.one")) == 1


async def test_a_typing_indicator_shows_while_a_slow_answer_comes(tab: Tab) -> None:
    await tab.open()
    await tab.tap("Mở hướng dẫn")
    tab.script.delay = 1.5
    await tab.tap("✅ Xong")
    typing = tab.page.locator(".typing")
    await expect(typing).to_be_visible()
    await expect(typing).to_contain_text("Cháu đang trả lời")
    await expect(tab.page.locator(".msg.bot").last).to_contain_text("Bước 2/3")
    await expect(typing).to_have_count(0)


async def test_nothing_is_sent_twice_while_an_answer_is_on_its_way(tab: Tab) -> None:
    await tab.open()
    await tab.tap("Mở hướng dẫn")
    tab.script.delay = 1.0
    await tab.page.fill("#text", "xong")
    await tab.page.press("#text", "Enter")
    await tab.page.fill("#text", "xong")
    await tab.page.press("#text", "Enter")  # a second Enter while waiting
    await tab.page.locator(".msg.bot").last.get_by_role("button", name="✅ Xong").click(
        force=True)  # and a tap on the step's button
    await expect(tab.page.locator(".typing")).to_have_count(0, timeout=5000)
    await expect(tab.page.locator(".msg.bot")).to_have_count(3)
    assert len(tab.script.sent("xong")) == 1 and tab.script.sent("n:demo.one") == []
    await expect(tab.page.locator("#text")).to_have_value("xong")  # kept for later, not lost


# ----------------------------------------------------------------------- reading the answer
async def test_the_start_of_a_long_reply_is_in_view_on_a_phone(tab: Tab) -> None:
    urgent = ("**Bước 2/6**\n🚨 Bác gọi ngay cho ngân hàng để khóa tài khoản.\n"
              + "\n".join(f"{n}. Việc cần làm tiếp theo, đọc kỹ từng dòng." for n in range(40)))
    tab.script.answers["n:demo.one"] = [{"text": urgent, "image": None,
                                         "buttons": [{"label": "✅ Xong", "payload": "x"}]}]
    await tab.open()
    await tab.tap("Mở hướng dẫn")
    await tab.tap("✅ Xong")
    reply = tab.page.locator(".msg.bot").last
    await expect(reply).to_contain_text("Bước 2/6")
    log = await tab.page.locator("#log").bounding_box()
    box = await reply.bounding_box()
    assert log is not None and box is not None
    assert box["height"] > log["height"]  # the reply is longer than the screen
    assert log["y"] <= box["y"] <= log["y"] + 24  # and its first line is in view


async def test_phone_numbers_and_web_addresses_are_tappable(tab: Tab) -> None:
    cases = json.loads((ROOT / "tests" / "fixtures" / "links.json").read_text("utf-8"))
    evil = "<img src=x onerror=alert(1)> <a href='javascript:alert(1)'>bấm</a> **<b>x</b>**"
    tab.script.answers["f:demo"] = [{"text": c["text"], "image": None, "buttons": []}
                                    for c in cases] + [{"text": evil, "image": None,
                                                        "buttons": []}]
    await tab.open()
    await tab.tap("Mở hướng dẫn")
    bubbles = tab.page.locator(".msg.bot")
    await expect(bubbles).to_have_count(len(cases) + 2)
    for index, case in enumerate(cases, start=1):
        bubble = bubbles.nth(index)
        links = await bubble.locator("a").evaluate_all(
            "els => els.map(a => [a.textContent, a.getAttribute('href')])")
        assert links == case["links"], case["text"]
        assert await bubble.text_content() == case["text"].replace("**", "")
    web = bubbles.nth(11).locator("a")
    assert await web.get_attribute("target") == "_blank"
    assert await web.get_attribute("rel") == "noopener noreferrer"
    hostile = bubbles.last
    assert await hostile.text_content() == evil.replace("**", "")
    assert await hostile.locator("img, a").count() == 0


async def test_reopening_the_page_shows_the_conversation_and_offers_the_guide(tab: Tab) -> None:
    await tab.open()
    tab.script.guide = {"id": "demo", "step": "one"}
    await tab.tap("Mở hướng dẫn")
    await tab.page.fill("#text", "mật khẩu là hoa123 mã otp 123456")
    await tab.page.press("#text", "Enter")
    await expect(tab.page.locator(".msg.bot")).to_have_count(3)
    starts = len(tab.script.sent("/start"))
    await tab.page.reload()
    log = tab.page.locator("#log")
    await expect(log).to_contain_text("Bước 1/3")  # the guide's step, from before
    await expect(log).to_contain_text("Mở hướng dẫn")
    await expect(tab.page.locator(".msg.me").last).to_have_text("mật khẩu là ••• mã otp •••")
    await expect(tab.page.locator(".divider")).to_be_visible()
    # Mid-guide: the page asks the assistant again, which offers to continue the guide.
    await eventually(lambda: len(tab.script.sent("/start")) == starts + 1)
    stored = await tab.page.evaluate("JSON.stringify(localStorage)")
    assert "123456" not in stored and "hoa123" not in stored


async def test_reopening_when_idle_sends_nothing(tab: Tab) -> None:
    await tab.open()
    await tab.tap("Mở hướng dẫn")  # guide null: outside a guide
    await expect(tab.page.locator(".msg.bot")).to_have_count(2)
    await tab.page.reload()
    await expect(tab.page.locator(".divider")).to_be_visible()
    await asyncio.sleep(0.5)
    assert len(tab.script.sent("/start")) == 1
    await tab.tap("✅ Xong")  # the last step works straight away
    await expect(tab.page.locator(".msg.bot").last).to_contain_text("Bước 2/3")


async def test_history_is_bounded_and_survives_a_missing_guide_field(tab: Tab) -> None:
    tab.script.with_guide = False
    await tab.page.goto(tab.base + "/")
    await tab.page.evaluate("""() => {
        const user = localStorage.getItem('digiguide-user');
        const entries = Array.from({length: 500}, (_, i) => ({who: 'bot', text: 'cũ ' + i}));
        localStorage.setItem('digiguide-history:' + user, JSON.stringify({entries}));
    }""")
    await tab.page.reload()
    await expect(tab.page.locator(".msg.bot").last).to_contain_text("Cháu chào bác")
    assert await tab.page.locator(".msg").count() <= 61
    kept = await tab.page.evaluate("""() => JSON.parse(localStorage.getItem(
        'digiguide-history:' + localStorage.getItem('digiguide-user'))).entries.length""")
    assert kept <= 60


@pytest.mark.parametrize("tab", [{"width": 1280, "height": 800}], indirect=True)
async def test_bubbles_keep_a_readable_width_on_a_wide_screen(tab: Tab) -> None:
    tab.script.answers["f:demo"] = [{"text": "Bác đọc kỹ từng dòng nhé. " * 30, "image": None,
                                     "buttons": []}]
    await tab.open()
    await tab.tap("Mở hướng dẫn")
    reply = tab.page.locator(".msg.bot").last
    await expect(reply).to_contain_text("Bác đọc kỹ")
    box = await reply.bounding_box()
    assert box is not None and 500 <= box["width"] <= 720
    mine = await tab.page.locator(".msg.me").last.bounding_box()
    assert mine is not None and mine["x"] + mine["width"] <= (1280 + 760) / 2  # same column


async def test_bubbles_use_the_width_of_a_small_phone(tab: Tab) -> None:
    tab.script.answers["f:demo"] = [{"text": "Bác đọc kỹ từng dòng nhé. " * 30, "image": None,
                                     "buttons": []}]
    await tab.open()
    await tab.tap("Mở hướng dẫn")
    box = await tab.page.locator(".msg.bot").last.bounding_box()
    assert box is not None and box["width"] >= 0.8 * (360 - 24) and box["x"] + box["width"] <= 360


async def test_the_page_finds_the_same_links_as_telegram_in_every_guide(
        tab: Tab, runtime: Runtime) -> None:
    places = CommuneDirectory.load(ROOT / "docs" / "examples" / "communes", {}).places("yen_binh")
    texts = [re.sub(r"\*\*(.+?)\*\*", r"\1", fill(step.text, places))
             for compiled in runtime.catalog.flows.values() for step in compiled.flow.steps]
    await tab.open()
    in_page = await tab.page.evaluate("""async texts => {
        const {findLinks} = await import('/static/links.js');
        return texts.map(t => findLinks(t).map(l => [t.slice(l.start, l.end), l.href]));
    }""", texts)  # (JavaScript counts UTF-16 units, Python code points: compare the spans)
    in_python = [[[t[link.start:link.end], link.href] for link in find_links(t)] for t in texts]
    assert in_page == in_python
    assert sum(len(links) for links in in_python) >= 10
