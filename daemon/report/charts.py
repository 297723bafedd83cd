"""The report's charts as PNG bytes, drawn in-process with matplotlib's Agg canvas.

Chinese labels need a font with CJK glyphs: Noto Sans CJK SC, which the ``mplfonts`` dependency
ships, so a plain ``pip install`` draws them (no boxes) without any system font.
"""

from __future__ import annotations

import importlib.util
import io
import threading
from functools import cache
from pathlib import Path
from typing import Any

from daemon.report.strings import Words

CJK_FONT_FILE = "NotoSansCJKsc-Regular.otf"
COLOURS = ("#1f6f8b", "#e07a1f", "#3a9d5d", "#b5367a")
_DRAWING = threading.Lock()
"""matplotlib's settings are one global: two threads drawing at once would undo each other's
CJK font (seen as boxes when two scheduler instances ran in one process)."""


class FontMissing(RuntimeError):
    """The CJK font is not installed: charts would show boxes in place of Chinese."""


@cache
def cjk_font() -> tuple[Path, str]:
    """The CJK font file and its family name, registered with matplotlib once."""
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        raise FontMissing("the mplfonts package (Noto Sans CJK SC) is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "fonts" / CJK_FONT_FILE
    if not path.is_file():
        raise FontMissing(f"{path} is missing")
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(path))
    return path, font_manager.FontProperties(fname=str(path)).get_name()


def _figure(width: float = 7.0, height: float = 3.2):  # noqa: ANN202
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    return figure, figure.add_subplot()


def _png(figure) -> bytes:  # noqa: ANN001
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def render(report: dict[str, Any], words: Words) -> dict[str, bytes]:
    """The four charts by name: daily, rates, categories, overdue."""
    import matplotlib

    _path, family = cjk_font()
    with (
        _DRAWING,
        matplotlib.rc_context(
            {"font.family": [family], "axes.unicode_minus": False, "font.size": 9}
        ),
    ):
        return {
            "daily": _daily(report, words),
            "rates": _rates(report, words),
            "categories": _categories(report, words),
            "overdue": _overdue(report, words),
        }


def _daily(report: dict[str, Any], words: Words) -> bytes:
    figure, axes = _figure()
    days = report["daily"]
    labels = [day["date"][5:] for day in days]
    positions = range(len(days))
    axes.bar(positions, [d["received"] for d in days], color=COLOURS[0], label=words["received"])
    axes.plot(
        positions, [d["closed"] for d in days], color=COLOURS[1], marker="o", label=words["closed"]
    )
    step = max(1, len(days) // 12)
    axes.set_xticks(list(positions)[::step], labels[::step])
    peak = max([d["received"] for d in days] + [d["closed"] for d in days] + [1])
    axes.set_ylim(0, peak * 1.15)
    axes.set_title(words["chart_daily"])
    axes.legend(loc="upper left")
    axes.yaxis.get_major_locator().set_params(integer=True)
    return _png(figure)


def _rates(report: dict[str, Any], words: Words) -> bytes:
    figure, axes = _figure()
    history = report["history"]
    positions = list(range(len(history)))
    for colour, name in zip(
        COLOURS, ("on_time_rate", "closure_rate", "revisit_rate", "satisfaction_rate"), strict=True
    ):
        values = [float("nan") if h[name] is None else h[name] * 100 for h in history]
        axes.plot(positions, values, marker="o", color=colour, label=words[name])
    axes.set_xticks(positions, [h["period"] for h in history])
    axes.set_ylim(0, 105)
    axes.set_ylabel("%")
    axes.set_title(words["chart_rates"])
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncols=4, fontsize=8)
    return _png(figure)


def _categories(report: dict[str, Any], words: Words) -> bytes:
    figure, axes = _figure()
    counts = report["by_category"]
    names = [words.value("by_category", key) for key in counts][::-1]
    axes.barh(names or [words["none"]], list(counts.values())[::-1] or [0], color=COLOURS[2])
    axes.set_title(words["chart_categories"])
    axes.xaxis.get_major_locator().set_params(integer=True)
    return _png(figure)


def _overdue(report: dict[str, Any], words: Words) -> bytes:
    figure, axes = _figure()
    departments = report["departments"]
    names = [words.department(name) for name in departments]
    axes.bar(names, [d["overdue"] for d in departments.values()], color=COLOURS[3])
    axes.set_ylim(0, max([d["overdue"] for d in departments.values()] + [1]) * 1.15)
    axes.set_title(words["chart_overdue"])
    axes.tick_params(axis="x", labelrotation=20)
    axes.yaxis.get_major_locator().set_params(integer=True)
    return _png(figure)
