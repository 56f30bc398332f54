"""What the text read from a picture of the resident's screen means, and where it leads.

Pure, like the rest of the engine: the OCR ran before the turn and the text arrives as an
:class:`~bot.engine.messages.Inbound` with ``picture=True``. In this order: scam signals (the
engine's own warning, :mod:`bot.safety.pictures`), a known screen (a step's ``screens:``),
then the NLU's reading of the text as a first message, else "cháu chưa đọc được" with the
team. Every answer quotes the line it acted on, masked, so a misreading is visible.
"""

from __future__ import annotations

import difflib
import itertools
from dataclasses import dataclass, replace

from bot.engine import payloads, texts
from bot.engine.catalog import Catalog, Screen
from bot.engine.messages import Button, Inbound
from bot.engine.navigation import Navigator
from bot.engine.render import CONTINUE_BUTTON, MENU_BUTTON, STUCK_BUTTON
from bot.engine.routing import route_intent
from bot.engine.turn import Scratch
from bot.privacy import mask
from bot.safety import PictureScam
from bot.text import fold_words

MATCH = 0.85  # share of a screen text's words found, in order, on one or two lines
ALTERNATIVE = 0.7  # a weaker match of another guide, offered as "if not, this one"
QUOTE_MAX = 90


@dataclass(frozen=True)
class ScreenMatch:
    screen: Screen
    score: float
    line: str  # the picture's line(s) that show the screen text, as read


def _coverage(screen: tuple[str, ...], words: list[str]) -> float:
    blocks = difflib.SequenceMatcher(None, screen, words, autojunk=False).get_matching_blocks()
    return sum(block.size for block in blocks) / len(screen)


def match_screens(catalog: Catalog, text: str) -> list[ScreenMatch]:
    """The steps whose on-screen texts the picture shows, best first, one per step."""
    lines = [line for line in text.splitlines() if fold_words(line)]
    windows = [*lines, *(f"{a} {b}" for a, b in itertools.pairwise(lines))]
    folded = [(window, fold_words(window)) for window in windows]
    best: dict[tuple[str, str], ScreenMatch] = {}
    for screen in catalog.screens:
        for window, words in folded:
            score = _coverage(screen.words, words)
            key = (screen.flow_id, screen.step_id)
            if score >= ALTERNATIVE and (key not in best or score > best[key].score):
                best[key] = ScreenMatch(screen, score, window)
    return sorted(best.values(), key=lambda m: (-m.score, -len(m.screen.words),
                                                m.screen.flow_id, m.screen.step_id))


def _words(template: str, line: str, title: str = "") -> str:
    """``template`` with the quoted line and a guide's title (placeholders such as
    ``{team_name}`` are filled later, by :meth:`Scratch.say`)."""
    return template.replace("{line}", line).replace("{title}", title)


def quote(line: str) -> str:
    """A line of the picture fit to show: masked (ID numbers, phones, codes), one line, short,
    without braces (they would read as placeholders)."""
    shown = " ".join(mask(line).replace("{", "(").replace("}", ")").split())
    return shown if len(shown) <= QUOTE_MAX else shown[:QUOTE_MAX - 1].rsplit(" ", 1)[0] + "…"


def seen_line(text: str) -> str:
    """The line to quote when no rule picked one: the first with a few words."""
    lines = [line for line in text.splitlines() if fold_words(line)]
    return next((line for line in lines if len(fold_words(line)) >= 3), lines[0] if lines else "")


def scam_note(scam: PictureScam) -> str:
    """What in the picture is suspicious, said after the warning."""
    main = scam.check.main
    why = texts.PICTURE_WHY.get(main.value if main else "", texts.PICTURE_WHY["scam_named"])
    address = f" «{mask(scam.address)}»" if scam.address else ""
    return _words(texts.PICTURE_SUSPICIOUS, quote(scam.line)).replace(
        "{why}", why.replace("{address}", address))


def placed(catalog: Catalog, text: str) -> bool:
    """The picture shows a known screen: no NLU needed."""
    matches = match_screens(catalog, text)
    return bool(matches) and matches[0].score >= MATCH


class PictureNavigator(Navigator):
    """Opens guides from pictures that show no scam (the engine warns about those first)."""

    def _on_picture(self, turn: Scratch, inbound: Inbound) -> None:
        text = inbound.text or ""
        matches = match_screens(self.catalog, text)
        if matches and matches[0].score >= MATCH:
            self._open_screen(turn, matches[0], matches[1:])
            return
        route = route_intent(inbound.intent, self.catalog)
        line = quote(seen_line(text))
        state = turn.state
        if route.flow_id is not None and line:
            target = self.catalog.flows[route.flow_id]
            turn.event("picture_read", state.flow_id, state.step_id, route="intent")
            if state.in_flow and state.flow_id == target.flow.id:
                turn.say(_words(texts.PICTURE_SAME_STEP, line, target.flow.title))
                self._show_step(turn)
            elif state.in_flow:
                turn.say(_words(texts.PICTURE_TOPIC_OFFER, line, target.flow.title),
                         (Button(target.label, payloads.open_flow(target.flow.id)),
                          CONTINUE_BUTTON))
            else:
                turn.say(_words(texts.PICTURE_TOPIC, line))
                self._start_flow(turn, target.flow.id, jump=False)
            return
        turn.event("picture_read", state.flow_id, state.step_id,
                   route="not_placed" if line else "no_text")
        message = _words(texts.PICTURE_NOT_PLACED, line) if line else texts.PICTURE_UNREAD
        buttons = (STUCK_BUTTON, CONTINUE_BUTTON) if state.has_guide else (STUCK_BUTTON,
                                                                            MENU_BUTTON)
        turn.say(message, buttons)

    def _open_screen(self, turn: Scratch, match: ScreenMatch,
                     others: list[ScreenMatch]) -> None:
        """The guide at the step the screenshot shows; inside that guide, that step."""
        screen = match.screen
        target = self.catalog.flows[screen.flow_id]
        state = turn.state
        turn.event("picture_read", screen.flow_id, screen.step_id, route="screen")
        line = quote(match.line)
        if state.in_flow and (state.flow_id, state.step_id) == (screen.flow_id, screen.step_id):
            turn.say(_words(texts.PICTURE_SAME_STEP, line, target.flow.title))
            self._show_step(turn)
            return
        turn.say(_words(texts.PICTURE_SCREEN, line, target.flow.title))
        if state.flow_id != screen.flow_id:
            state = state.push_trail() if state.has_guide else replace(state, trail=())
            turn.state = state
            turn.event("flow_started", screen.flow_id, reason="picture")
        self._enter(turn, target, screen.step_id, target.way_to(screen.step_id), auto=False)
        other = next((m for m in others if m.screen.flow_id != screen.flow_id), None)
        if other is not None:
            alternative = self.catalog.flows[other.screen.flow_id]
            turn.say(texts.PICTURE_ALTERNATIVE,
                     (Button(alternative.label, payloads.open_flow(alternative.flow.id)),))
