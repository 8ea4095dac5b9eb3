"""The /stats chart: daily orders as bars, daily revenue as a line on a second axis, as a PNG.

The only module that imports matplotlib (a contract in pyproject.toml keeps it so), and only when
a chart is drawn: a bot that never draws one does not pay for it. It uses matplotlib's
object-oriented API with the Agg canvas (`Figure` + `FigureCanvasAgg`): no pyplot, no global
figure registry, nothing to close; the figure is dropped when the function returns.

Every text is given its font explicitly, chosen by locale. matplotlib's own DejaVu Sans has no
Chinese, so Noto Sans CJK (the OpenType collection of the `noto-cjk-sans-otc` package, SIL Open
Font License 1.1) is registered once: Simplified Chinese is set in its SC face, Traditional
Chinese in its TC face (Taiwan's glyph forms), and the Latin locales in DejaVu Sans, with the CJK
face as a fallback for any Chinese character in their labels. The texts come in already worded
(see `ui.stats.chart_texts`): this module only formats the days and the amounts with Babel.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache

from babel.dates import format_skeleton
from babel.numbers import format_compact_decimal, format_decimal

from domain.geo import babel_locale
from domain.money import to_decimal

LATIN_FONT = "DejaVu Sans"  # matplotlib's own: every Latin, Greek and Cyrillic letter
CJK_FACES = {"zh_Hans": "Noto Sans CJK SC", "zh_Hant": "Noto Sans CJK TC"}
SIZE_INCHES = (9.0, 5.0)
DPI = 120  # 1080 × 600 pixels: sharp in Telegram's photo viewer, ~50 KB
BAR_COLOR = "#4C8BF5"
LINE_COLOR = "#E8710A"
MAX_DAY_LABELS = 10

_lock = threading.Lock()  # one chart at a time: matplotlib's font caches are shared state


@dataclass(frozen=True)
class ChartTexts:
    """What the chart says, in the reader's language (worded by the caller)."""

    title: str
    orders: str  # the left axis and the bars' legend entry
    revenue: str  # the right axis and the line's legend entry


def families(locale: str) -> list[str]:
    """The font families a locale's texts are set in, first choice first (matplotlib falls
    back glyph by glyph along the list)."""
    if locale in CJK_FACES:
        return [CJK_FACES[locale], LATIN_FONT]
    if locale.startswith("zh"):
        return [CJK_FACES["zh_Hans"], LATIN_FONT]
    return [LATIN_FONT, CJK_FACES["zh_Hans"]]


@cache
def register_fonts() -> tuple[str, ...]:
    """Add the Noto Sans CJK collection to matplotlib's font manager (once per process) and
    return the families it brought (`Noto Sans CJK SC`, `… TC`, `… HK`, `… JP`, `… KR`, Mono)."""
    import noto_cjk_sans_otc
    from matplotlib import font_manager

    before = {entry.name for entry in font_manager.fontManager.ttflist}
    font_manager.fontManager.addfont(str(noto_cjk_sans_otc.FONT_PATH))
    after = {entry.name for entry in font_manager.fontManager.ttflist}
    return tuple(sorted(after - before))


def day_labels(days: Sequence[date], locale: str) -> list[tuple[int, str]]:
    """Positions and labels of the days shown under the bars: all of them for a week, else
    about ten, evenly spaced and always including the last day (today)."""
    step = max(1, -(-len(days) // MAX_DAY_LABELS))
    loc = babel_locale(locale)
    shown = sorted(range(len(days) - 1, -1, -step))
    return [(i, format_skeleton("MMMd", days[i], locale=loc)) for i in shown]


def amount_tick(value: float, locale: str) -> str:
    """A revenue axis tick, the currency being named on the axis: `1.2K`, `1.2万`, `1,2 k`
    (Babel's compact form of the locale)."""
    amount = Decimal(str(round(value, 2)))
    return format_compact_decimal(amount, locale=babel_locale(locale), fraction_digits=1)


def render(
    days: Sequence[date],
    orders: Sequence[int],
    revenue_minor: Sequence[int],
    *,
    currency: str,
    locale: str,
    texts: ChartTexts,
) -> bytes:
    """The chart as PNG bytes: one bar and one point per day (days without orders at zero)."""
    if not (len(days) == len(orders) == len(revenue_minor)) or not days:
        raise ValueError("one value per day, at least one day")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    family = families(locale)
    # plotted positions only: the amounts themselves stay integers up to here
    amounts = [float(to_decimal(value, currency)) for value in revenue_minor]
    with _lock:
        register_fonts()
        figure = Figure(figsize=SIZE_INCHES, dpi=DPI, layout=None)
        figure.subplots_adjust(left=0.07, right=0.9, top=0.84, bottom=0.1)
        FigureCanvasAgg(figure)
        bars = figure.add_subplot()
        line = bars.twinx()
        positions = list(range(len(days)))
        width = 0.7 if len(days) <= 31 else 0.85
        bars.bar(positions, list(orders), width=width, color=BAR_COLOR, zorder=2)
        marker = "o" if len(days) <= 31 else None
        line.plot(positions, amounts, color=LINE_COLOR, linewidth=2, marker=marker, zorder=3)

        figure.suptitle(texts.title, fontfamily=family, fontsize=14, y=0.97)
        bars.set_ylabel(texts.orders, fontfamily=family, color=BAR_COLOR)
        line.set_ylabel(texts.revenue, fontfamily=family, color=LINE_COLOR)
        labels = day_labels(days, locale)
        bars.set_xticks([i for i, _ in labels], [text for _, text in labels])
        bars.set_xlim(-0.6, len(days) - 0.4)
        bars.yaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
        bars.yaxis.set_major_formatter(
            FuncFormatter(lambda v, _pos: format_decimal(int(v), locale=babel_locale(locale)))
        )
        line.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: amount_tick(v, locale)))
        bars.set_ylim(bottom=0, top=max(max(orders), 1) * 1.15)
        line.set_ylim(bottom=0, top=max(max(amounts), 1.0) * 1.15)
        for axes in (bars, line):
            axes.tick_params(labelfontfamily=family)
            axes.spines["top"].set_visible(False)
        bars.grid(axis="y", alpha=0.3, zorder=0)
        figure.legend(
            [Patch(color=BAR_COLOR), Line2D([0], [0], color=LINE_COLOR, linewidth=2)],
            [texts.orders, texts.revenue],
            loc="upper center",
            bbox_to_anchor=(0.5, 0.915),
            ncols=2,
            prop={"family": family},
            frameon=False,
        )
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI)
        figure.clear()
    return buffer.getvalue()
