"""The assistant's questions and the typed answers to them: which button was meant ("Ý bác là
«A» hay «B» ạ?"), what the screen shows when a step did not work, "erase everything?" and
"was this guide useful?". Pure, like the rest of the engine.

A typed answer the question cannot use is never dropped in silence: the resident is told what
was (not) done with it ("Cháu chưa xóa gì ạ"), and the message is still answered.
"""

from __future__ import annotations

from dataclasses import replace

from bot.engine import payloads, texts
from bot.engine.commands import Command
from bot.engine.messages import Button
from bot.engine.navigation import Navigator
from bot.engine.polarity import is_negative
from bot.engine.render import REVIEW_BUTTON, STUCK_BUTTON, step_reply
from bot.engine.turn import Scratch
from bot.engine.understand import FILLERS, Reading, ask_text
from bot.privacy import mask
from bot.text import normalize_words

# "Có", "xóa đi", "đồng ý": yes to "erase everything?". "Đừng" folds to "dung": never a yes.
_ERASE_YES = frozenset({"co", "xoa", "dong", "y", "u", "um", "uh", "vang", "da", "ok", "oke",
                        "phai", "yes", "het", "di", "luon", "roi", "du", "lieu", "thong", "tin",
                        "giup", "sach", "nhe", "nha", "a", "oi", "chau", "bac", "toi", "ca"})
_ERASE_CORE = frozenset({"co", "xoa", "dong", "u", "um", "vang", "da", "ok", "oke", "phai",
                         "yes"})
_KEEP = frozenset({"thoi", "khoan", "dung", "de", "giu", "no"})
_USEFUL = frozenset({"co", "huu", "ich", "tot", "de", "hieu", "giup", "duoc", "lam", "rat",
                     "qua", "roi", "nhieu", "oke", "ok", "vang", "da", "u", "chau", "bac", "a",
                     "on", "cam", "hay", "chi", "tiet", "ro"})
_UNCLEAR = frozenset({"khong", "chua", "ro", "hieu", "kho", "giup", "duoc", "lam", "may", "qua",
                      "lan", "lon", "roi", "chau", "bac", "a", "oi", "van"})


def _content(text: str) -> list[str]:
    return [w for w in normalize_words(text) if w not in FILLERS or w in ("de", "da")]


def erase_answer(text: str) -> bool | None:
    """True: erase; False: keep; None: not an answer to "erase everything?"."""
    words = normalize_words(text)
    if not words or len(words) > 8:
        return None
    if is_negative(words) or set(words) & _KEEP:
        return False if len(words) <= 5 else None
    if all(w in _ERASE_YES for w in words) and set(words) & _ERASE_CORE:
        return True
    return None


def feedback_answer(text: str) -> str | None:
    """"useful", "unclear", or None: not an answer to "was this guide useful?"."""
    words = _content(text)
    if not words or len(words) > 8:
        return None
    if is_negative(words) or "kho" in words:
        return "unclear" if all(w in _UNCLEAR for w in words) else None
    useful = {"co", "huu", "tot", "hieu", "duoc", "hay", "ro"}
    if all(w in _USEFUL for w in words) and set(words) & useful:
        return "useful"
    return None


class Asking(Navigator):
    def _ask_which(self, turn: Scratch, reading: Reading) -> None:
        """Two or three buttons were close to the reply: ask which one, with them."""
        state = turn.state
        compiled = self.catalog.flows[state.flow_id or ""]
        shown = step_reply(compiled, state.step_id or "", state.history, turn.places).buttons
        options = [b for b in shown if b.payload in reading.options]
        if not options:
            turn.say(texts.CHOOSE)
            self._show_step(turn)
            return
        turn.event("reply_ask", state.flow_id, state.step_id, options=len(options))
        turn.say(ask_text([b.label for b in options]), (*options, REVIEW_BUTTON, STUCK_BUTTON))

    def _trouble(self, turn: Scratch, reading: Reading, text: str) -> None:
        """The step did not work: ask what the resident sees, offer the step's detours, and
        the team (first, when it is the second time at this step)."""
        state = turn.state
        compiled = self.catalog.flows[state.flow_id or ""]
        turn.event("step_trouble", state.flow_id, state.step_id, count=state.trouble + 1)
        turn.event("unanswered", state.flow_id, state.step_id, reason="step_trouble",
                   text=mask(text))
        shown = step_reply(compiled, state.step_id or "", state.history, turn.places).buttons
        options = tuple(b for b in shown if b.payload in reading.options)
        if state.trouble:
            turn.say(texts.TROUBLE_TEAM, (STUCK_BUTTON, *options, REVIEW_BUTTON))
        elif options:
            turn.say(texts.TROUBLE_ASK, (*options, REVIEW_BUTTON, STUCK_BUTTON))
        else:
            turn.say(texts.TROUBLE_ASK_PLAIN, (REVIEW_BUTTON, STUCK_BUTTON))
        turn.state = replace(state, trouble=state.trouble + 1)

    def _on_answer(self, turn: Scratch, asked: str, text: str) -> Command | bool:
        """A typed answer to the question the last turn asked: the command it stands for
        ("có" to "erase everything?"), True when it was answered here, False when the text
        is not an answer (the caller answers it as any other message)."""
        if asked == "forget":
            erase = erase_answer(text)
            if erase is None:
                return False  # the engine says nothing was erased, after its answer
            return Command("forget_yes" if erase else "forget_no")
        flow_id = asked.removeprefix("feedback:")
        verdict = feedback_answer(text) if flow_id in self.catalog.flows else None
        if verdict is None:
            return False
        turn.event("feedback", flow_id, verdict=verdict)
        self._show_menu(turn, texts.FEEDBACK_UNCLEAR if verdict == "unclear"
                        else texts.FEEDBACK_THANKS)
        return True

    def _confirm_forget(self, turn: Scratch) -> None:
        turn.say(texts.FORGET_CONFIRM, (
            Button(texts.FORGET_YES, payloads.command("forget_yes")),
            Button(texts.FORGET_NO, payloads.command("forget_no"))))
        turn.state = replace(turn.state, asked="forget")
