"""A guide's steps and branches as an SVG drawn on the server (no script, works offline).

Steps are placed in rows by their distance from the first step; arrows follow buttons and the
standard "Xong". Detours (``side: true``) are dashed and amber, finishing steps green, buttons
to other guides or actions are listed under their step.
"""

from __future__ import annotations

from collections import deque
from typing import Any
from xml.sax.saxutils import escape

from bot.flows.diff import button_target

BOX_W, BOX_H, GAP_X, GAP_Y, PAD = 170, 58, 26, 46, 12


def _edges(steps: list[dict[str, Any]]) -> dict[str, list[tuple[str, str]]]:
    """Step id -> [(target step id, label)] within the guide, default "Xong" included."""
    ids = [str(s.get("id")) for s in steps]
    edges: dict[str, list[tuple[str, str]]] = {}
    for i, step in enumerate(steps):
        out = [(str(b["next"]), str(b.get("label", ""))) for b in step.get("buttons") or []
               if b.get("next")]
        if not step.get("end"):
            if step.get("next"):
                out.append((str(step["next"]), "Xong"))
            elif not step.get("buttons") and i + 1 < len(steps):
                out.append((ids[i + 1], "Xong"))
        edges[ids[i]] = [(t, label) for t, label in out if t in ids]
    return edges


def _layers(steps: list[dict[str, Any]], edges: dict[str, list[tuple[str, str]]]
            ) -> dict[str, int]:
    ids = [str(s.get("id")) for s in steps]
    depth = {ids[0]: 0} if ids else {}
    queue = deque(ids[:1])
    while queue:
        current = queue.popleft()
        for target, _ in edges.get(current, []):
            if target not in depth:
                depth[target] = depth[current] + 1
                queue.append(target)
    last = max(depth.values(), default=-1)
    for step_id in ids:  # unreachable steps: a row of their own at the bottom
        depth.setdefault(step_id, last + 1)
    return depth


def _short(text: str, limit: int) -> str:
    text = " ".join(text.replace("*", "").split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def render_svg(document: dict[str, Any]) -> str:
    steps = [s for s in document.get("steps") or [] if isinstance(s, dict) and s.get("id")]
    edges = _edges(steps)
    depth = _layers(steps, edges)
    rows: dict[int, list[dict[str, Any]]] = {}
    for step in steps:
        rows.setdefault(depth[str(step["id"])], []).append(step)
    width = max((len(r) for r in rows.values()), default=1) * (BOX_W + GAP_X) + PAD
    height = (max(rows, default=0) + 1) * (BOX_H + GAP_Y) + PAD
    where: dict[str, tuple[int, int]] = {}
    for row, members in rows.items():
        for col, step in enumerate(members):
            where[str(step["id"])] = (PAD + col * (BOX_W + GAP_X), PAD + row * (BOX_H + GAP_Y))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" font-family="sans-serif" font-size="11" '
             'role="img" aria-label="Sơ đồ các bước">',
             '<defs><marker id="a" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" '
             'markerHeight="7" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#555"/></marker>'
             '</defs>']
    for source, targets in edges.items():
        x1, y1 = where[source]
        for target, label in targets:
            x2, y2 = where[target]
            start = (x1 + BOX_W / 2, y1 + BOX_H)
            end = (x2 + BOX_W / 2, y2) if y2 > y1 else (x2 + BOX_W, y2 + BOX_H / 2)
            parts.append(f'<path d="M{start[0]},{start[1]} L{end[0]},{end[1]}" stroke="#555" '
                         'fill="none" marker-end="url(#a)"><title>'
                         f'{escape(source)} → {escape(target)}: {escape(label)}</title></path>')
    for step in steps:
        step_id = str(step["id"])
        x, y = where[step_id]
        fill, stroke, dash = "#eef4ff", "#3563c9", ""
        if step.get("side"):
            fill, stroke, dash = "#fff6e0", "#c98a00", ' stroke-dasharray="5,3"'
        if step.get("end"):
            fill, stroke = "#e6f6ea", "#23883f"
        outside = [f"{b.get('label', '')} → {button_target(b)}"
                   for b in step.get("buttons") or [] if not b.get("next")]
        parts.append(f'<g><title>{escape(str(step.get("text", "")))}</title>'
                     f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="6" '
                     f'fill="{fill}" stroke="{stroke}"{dash}/>'
                     f'<text x="{x + 6}" y="{y + 15}" font-weight="bold">'
                     f'{escape(_short(step_id, 26))}'
                     f'{" ✓ " + escape(str(step["end"])) if step.get("end") else ""}</text>'
                     f'<text x="{x + 6}" y="{y + 31}">'
                     f'{escape(_short(str(step.get("text", "")), 30))}</text>')
        if outside:
            parts.append(f'<text x="{x + 6}" y="{y + 47}" fill="#7a3e9d">'
                         f'{escape(_short("; ".join(outside), 30))}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)
