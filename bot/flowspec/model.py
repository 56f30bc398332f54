"""The flow file format, defined once.

A flow is plain data: pydantic models that validate a YAML document on load. The same models
produce the JSON Schema (``python -m bot flows schema``) and drive the static checks in
:mod:`bot.flowspec.checks`. Nothing here knows about channels, storage or NLU.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

# Ids are readable slugs: admins edit these files by hand, and they end up in button payloads
# (Telegram allows 64 bytes of callback data) and deep links (64 chars of [A-Za-z0-9_-]).
FLOW_ID_MAX = 32
STEP_ID_MAX = 24
SLUG_PATTERN = r"^[a-z0-9][a-z0-9_]*$"
FlowId = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=FLOW_ID_MAX)]
StepId = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=STEP_ID_MAX)]

# Telegram's limits, the strictest of our channels.
TEXT_MAX = 4000
LABEL_MAX = 40
SHORT_TITLE_MAX = 28  # a menu button that fits one line on a 360 px phone
BUTTONS_MAX = 8
SCREENS_MAX = 6
SCREEN_TEXT_MAX = 120


def _whole_line(text: str) -> str:
    if len(text.split()) < 3:
        raise ValueError("an on-screen text needs at least three words (a whole line of the "
                         "screen), so other screens do not match it")
    return text


ScreenText = Annotated[str, StringConstraints(min_length=8, max_length=SCREEN_TEXT_MAX),
                       AfterValidator(_whole_line)]

# Local details filled from the resident's commune configuration. ``team_contact`` is the
# team with its phone number when one is configured ("Tổ CNS xã Yên Bình (số 0900 000 000)"),
# else with where to find it: write "nhờ {team_contact}", never "(số {team_phone})", so the
# sentence reads well either way. ``team_help`` is the only way a step offers a person: the
# hand-off when a team can be reached, else whom to ask (never a fixed promise of the team).
PLACEHOLDERS = frozenset({"commune", "team_name", "team_phone", "team_contact", "team_help"})
PLACEHOLDER_RE = re.compile(r"\{([^{}]*)\}")


class MenuGroup(StrEnum):
    """Sections of the main menu."""

    vneid = "vneid"
    vssid = "vssid"
    payment = "payment"
    safety = "safety"
    other = "other"


class Action(StrEnum):
    """What a button does when it does not go to another step of the same flow."""

    menu = "menu"  # back to the main menu
    end = "end"  # finish the guide here
    handoff = "handoff"  # ask the commune's team for help
    restart = "restart"  # start this guide again from its first step


class EndKind(StrEnum):
    completed = "completed"  # the resident reached the goal of the guide, here and now
    # The resident did their part; the goal comes later or elsewhere (approval in a few days,
    # a visit to the police). Worded without "🎉 done": no path through a `waits` step may
    # end `completed`.
    pending = "pending"
    handoff = "handoff"  # the guide ends by sending the resident to a human
    aborted = "aborted"  # the guide ends without reaching its goal (e.g. "not possible here")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Button(_Strict):
    """A choice shown under a step. Exactly one of ``next``, ``flow`` or ``action``."""

    label: Annotated[str, StringConstraints(min_length=1, max_length=LABEL_MAX)]
    next: StepId | None = Field(default=None, description="Go to this step of the same flow.")
    flow: FlowId | None = Field(default=None, description="Open another flow at its first step.")
    action: Action | None = None
    value: str | None = Field(
        default=None,
        max_length=32,
        description="Stored in the step's `slot` when pressed.",
    )

    @model_validator(mode="after")
    def _one_target(self) -> Button:
        targets = [t for t in (self.next, self.flow, self.action) if t is not None]
        if len(targets) != 1:
            raise ValueError("a button needs exactly one of `next`, `flow` or `action`")
        return self


FOLLOWUP_ASK_MAX = 300


class FollowUpAnswer(_Strict):
    """Where one answer to a follow-up leads: another guide (``flow``), the team or the menu
    (``action``), or, for "not yet", asking ``again`` once more after the same wait."""

    flow: FlowId | None = Field(default=None, description="Open this guide.")
    action: Literal["handoff", "menu"] | None = None
    again: bool = Field(default=False, description="Ask once more after the same wait.")

    @model_validator(mode="after")
    def _one_target(self) -> FollowUpAnswer:
        targets = [t for t in (self.flow, self.action, self.again or None) if t is not None]
        if len(targets) != 1:
            raise ValueError("a follow-up answer needs exactly one of `flow`, `action` or "
                             "`again: true`")
        return self


class FollowUp(_Strict):
    """The assistant may come back after ``after_days`` (if the resident agrees when the step
    is shown) and ask ``ask``; each answer leads somewhere."""

    after_days: Annotated[int, Field(ge=1, le=60)]
    ask: Annotated[str, StringConstraints(min_length=1, max_length=FOLLOWUP_ASK_MAX)]
    done: FollowUpAnswer
    not_yet: FollowUpAnswer = FollowUpAnswer(again=True)
    problem: FollowUpAnswer = FollowUpAnswer(action="handoff")


class Step(_Strict):
    """One small action for the resident.

    A step with no buttons, no ``next`` and no ``end`` continues to the step below it in the
    file, through the engine's standard "Xong" button. The engine also adds "Quay lại",
    "Tôi bị kẹt" and "Menu" to every step, and to a finishing step (``end: completed``) the
    flow's ``related`` guides and a one-tap feedback (Hữu ích / Chưa rõ).
    """

    id: StepId
    text: Annotated[str, StringConstraints(min_length=1, max_length=TEXT_MAX)]
    image: str | None = Field(
        default=None, max_length=200, pattern=r"^(https://\S+|[A-Za-z0-9_\-][A-Za-z0-9_./\-]*)$",
        description="A file under flows/images/ (e.g. vneid/store.png) or an https URL.")
    buttons: Annotated[list[Button], Field(max_length=BUTTONS_MAX)] = []
    next: StepId | None = Field(default=None, description="Where the standard 'Xong' goes.")
    end: EndKind | None = Field(default=None, description="This step finishes the guide.")
    slot: str | None = Field(
        default=None,
        pattern=SLUG_PATTERN,
        description="A branch point: buttons' `value` is stored here. If the slot is already "
        "known (e.g. NLU found `platform: iphone`), the engine takes that branch directly.",
    )
    side: bool = Field(
        default=False,
        description="A detour (a common error, a tip): shown without a step number.",
    )
    waits: bool = Field(
        default=False,
        description="The rest happens later or elsewhere (days of waiting, a visit to the "
        "police or a bank): no path through this step may end `completed`.",
    )
    screens: Annotated[list[ScreenText], Field(max_length=SCREENS_MAX)] = Field(
        default=[],
        description="Texts shown on the resident's phone at this step, exactly as the app "
        "writes them (e.g. `Kích hoạt tài khoản định danh điện tử`): a screenshot showing one "
        "opens the guide here. At least three words each, and specific to this screen.",
    )
    followup: FollowUp | None = Field(
        default=None,
        description="Offer to come back after some days and ask how it went (the waiting "
        "steps: an SMS to come, a visit to make).")

    @model_validator(mode="after")
    def _consistent(self) -> Step:
        if self.end is not None and self.next is not None:
            raise ValueError("a step with `end` cannot also have `next`")
        if self.slot is not None and not any(b.value for b in self.buttons):
            raise ValueError("a step with `slot` needs buttons with a `value`")
        return self

    @field_validator("screens")
    @classmethod
    def _distinct(cls, screens: list[str]) -> list[str]:
        if len(set(screens)) != len(screens):
            raise ValueError("`screens` lists the same text twice")
        return screens


ShortTitle = Annotated[str, StringConstraints(min_length=1, max_length=SHORT_TITLE_MAX)]


class Flow(_Strict):
    """A guide: an ordered list of steps that starts at the first one."""

    id: FlowId
    title: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    short_title: ShortTitle | None = Field(
        default=None,
        description="The guide's name on a menu button (fits a 360 px phone); default: the title.")
    summary: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    menu_order: int = Field(
        default=100, description="Position in its menu group (lower first; ties by id).")
    menu_group: MenuGroup = MenuGroup.other
    intents: list[str] = Field(default=[], description="NLU intents that open this flow.")
    keywords: list[str] = Field(
        default=[], description="Fallback triggers, matched without case or diacritics."
    )
    related: list[FlowId] = Field(default=[], description="Guides to suggest at the end.")
    sources: list[str] = []
    reviewed: dt.date | None = None
    review_by: dt.date | None = Field(
        default=None,
        description="When the guide must be checked again (default: `reviewed` + 6 months).")
    version: Literal[1] = Field(default=1, description="Format version, for later migrations.")
    steps: Annotated[list[Step], Field(min_length=1)]
