"""The funnel of a guide as a PNG (matplotlib, black and grey so it prints in black and white).

Bars are the runs that reached each step of the main path; the step with the biggest loss is
hatched and says how many runs stopped after it and the share who pressed "🆘 Tôi bị kẹt"
there. Hidden figures ("<5") are drawn as empty bars labelled "<5".
"""

from __future__ import annotations

import io
import threading

from bot.reports.access import Cell
from bot.reports.funnels import FunnelStep

_LOCK = threading.Lock()  # pyplot keeps global state


def funnel_png(title: str, steps: list[FunnelStep], shown: list[Cell],
               shares: list[float | None]) -> bytes:
    """``shown``: each step's runs as the report shows them; ``shares``: the share that
    pressed «Tôi bị kẹt» (None where it would give a hidden cell away)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with _LOCK:
        height = 1.2 + 0.45 * max(1, len(steps))
        fig, ax = plt.subplots(figsize=(8, height), dpi=110)
        try:
            labels = [f"{i + 1}. {s.label}" for i, s in enumerate(steps)]
            values = [v if isinstance(v, int) else 0 for v in shown]
            bars = ax.barh(range(len(steps)), values, color=[
                "#444444" if s.biggest else "#bbbbbb" for s in steps], edgecolor="black",
                hatch=None)
            for bar, step in zip(bars, steps, strict=True):
                if step.biggest:
                    bar.set_hatch("//")
            ax.set_yticks(range(len(steps)), labels, fontsize=8)
            ax.invert_yaxis()
            ax.set_xlabel("Số lượt đến bước")
            ax.set_title(title, fontsize=10)
            top = max(values, default=0) or 1
            for i, (value, step) in enumerate(zip(shown, steps, strict=True)):
                note = str(value)
                if step.biggest:
                    note += "  ← mất nhiều nhất"
                    share = shares[i]
                    if share is not None:  # a share of a hidden figure stays hidden
                        note += f"; {share:.0%} bấm «Tôi bị kẹt»"
                ax.text((values[i] or 0) + top * 0.01, i, note, va="center", fontsize=8)
            ax.set_xlim(0, top * 1.9)
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
            fig.tight_layout()
            out = io.BytesIO()
            fig.savefig(out, format="png")
            return out.getvalue()
        finally:
            plt.close(fig)
