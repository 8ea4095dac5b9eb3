"""Buyers follow their shipments: /track, and the "🚚 Track" button of /orders and of every
shipment notice."""

from __future__ import annotations

from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from core.clock import Clock
from handlers.routing import RouterSpec
from models import User
from services import shipments
from ui.callbacks import TrackCb
from ui.context import current
from ui.render import show
from ui.shipments import track_view

router = RouterSpec(__name__)


async def _view(session: AsyncSession, user: User, clock: Clock):  # noqa: ANN202
    found = await shipments.tracking_of(
        session, user_id=user.id, chosen_point=user.pickup_point_id, now=clock.now()
    )
    return track_view(found, user, current())


@router.message(Command("track"))
async def cmd_track(message: Message, session: AsyncSession, user: User, clock: Clock) -> None:
    text, markup = await _view(session, user, clock)
    await message.answer(text, reply_markup=markup)


@router.callback_query(TrackCb.filter())
async def on_track(
    callback: CallbackQuery, callback_data: TrackCb, session: AsyncSession, user: User,
    clock: Clock,
) -> None:  # fmt: skip
    text, markup = await _view(session, user, clock)
    await callback.answer()
    if callback_data.new and isinstance(callback.message, Message):
        await callback.message.answer(text, reply_markup=markup)  # the notice stays as it was
        return
    await show(callback, text, markup)
