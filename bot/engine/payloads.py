"""Button payloads: short ids, never labels (Telegram allows 64 bytes of callback data).

``s:<flow>.<step>.<n>``  the n-th authored button of a step
``n:<flow>.<step>``      the standard "Xong" (the step's default next)
``f:<flow>``             open a guide
``g:<group>``            open a section of the menu
``fb:<flow>:<verdict>``  feedback on a finished guide
``c:<command>``          a global command (menu, back, stuck, resume, restart, stop, return)
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_BYTES = 64


@dataclass(frozen=True)
class Payload:
    kind: str
    flow_id: str | None = None
    step_id: str | None = None
    index: int | None = None
    value: str | None = None


def button(flow_id: str, step_id: str, index: int) -> str:
    return f"s:{flow_id}.{step_id}.{index}"


def done(flow_id: str, step_id: str) -> str:
    return f"n:{flow_id}.{step_id}"


def open_flow(flow_id: str) -> str:
    return f"f:{flow_id}"


def group(name: str) -> str:
    return f"g:{name}"


def feedback(flow_id: str, verdict: str) -> str:
    return f"fb:{flow_id}:{verdict}"


def command(name: str) -> str:
    return f"c:{name}"


def parse(raw: str) -> Payload | None:
    """Decode a payload; None for anything malformed (old clients, hand-made requests)."""
    kind, sep, rest = raw.strip().partition(":")
    if not sep or not rest or len(raw.encode()) > MAX_BYTES:
        return None
    if kind == "s":
        parts = rest.split(".")
        # isdigit() accepts "²" and other digits int() rejects: only ASCII digits count.
        if len(parts) == 3 and parts[2].isascii() and parts[2].isdigit() and len(parts[2]) < 4:
            return Payload("s", parts[0], parts[1], int(parts[2]))
    elif kind == "n":
        parts = rest.split(".")
        if len(parts) == 2:
            return Payload("n", parts[0], parts[1])
    elif kind == "f":
        return Payload("f", flow_id=rest)
    elif kind == "g":
        return Payload("g", value=rest)
    elif kind == "fb":
        flow_id, sep, verdict = rest.partition(":")
        if sep and verdict:
            return Payload("fb", flow_id=flow_id, value=verdict)
    elif kind == "c":
        return Payload("c", value=rest)
    return None
