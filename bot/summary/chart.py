"""The summary's chart: contacts acted on per day of the week, stacked by category, as a PNG.

Drawn with matplotlib's object API on the Agg canvas (no pyplot, no display, no global
state), so it is safe in the scheduler's worker thread. The PNG is small and carries no
timestamp, so the same figures always give the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date

# Colour-blind-safe (Okabe-Ito), one per category, stable across weeks.
COLOURS = {
    "profanity": "#E69F00",
    "abuse": "#D55E00",
    "threat": "#000000",
    "discrimination": "#CC79A7",
    "allegation": "#0072B2",
    "harassment": "#009E73",
    "behaviour": "#999999",
}


def daily_chart(
    days: Sequence[date],
    series: Mapping[str, Sequence[int]],
    labels: Mapping[str, str],
    *,
    title: str = "Contacts acted on each day, by category",
) -> bytes:
    """A stacked bar chart of `series` (category → one count per day) as PNG bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.4, 3.0), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(days)))
    bottom = [0] * len(days)
    for key, counts in series.items():
        if not any(counts):
            continue
        axes.bar(
            positions,
            counts,
            bottom=bottom,
            label=labels.get(key, key),
            color=COLOURS.get(key, "#56B4E9"),
            width=0.7,
        )
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    axes.set_xticks(positions, [f"{d:%a %d}" for d in days])
    axes.set_title(title, fontsize=10)
    axes.set_ylabel("contacts", fontsize=9)
    axes.tick_params(labelsize=8)
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.spines[["top", "right"]].set_visible(False)
    if any(bottom):
        axes.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    else:
        axes.set_ylim(0, 1)
        axes.text(0.5, 0.5, "Nothing acted on this week", ha="center", transform=axes.transAxes)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()
