"""/stats: orders, buyers, revenue and groups over 7, 30 or 90 days, with a chart.

The figures come as a text first; the chart follows as a photo when the period has orders (a
chart of zeros tells nothing the text does not). It is drawn in a worker thread, so the
event loop keeps serving other updates meanwhile."""

from __future__ import annotations

import asyncio

from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from core.clock import Clock
from handlers.routing import RouterSpec
from services import stats
from ui.context import current
from ui.stats import chart_caption, chart_png, chart_texts, stats_text, usage_text

router = RouterSpec(__name__, admin_only=True)


@router.message(Command("stats"))
async def cmd_stats(
    message: Message, command: CommandObject, session: AsyncSession, clock: Clock
) -> None:
    days = stats.parse_period(command.args)
    if days is None:
        await message.answer(usage_text())
        return
    ctx = current()
    figures = await stats.sales_stats(session, days=days, now=clock.now(), zone=ctx.timezone)
    await message.answer(stats_text(figures, ctx.locale))
    if not figures.current.orders:
        return
    texts = chart_texts(days, ctx.locale)
    png = await asyncio.to_thread(chart_png, figures, ctx.locale, texts)
    await message.answer_photo(
        BufferedInputFile(png, filename=f"stats-{days}d.png"),
        caption=chart_caption(figures, ctx.locale),
    )
