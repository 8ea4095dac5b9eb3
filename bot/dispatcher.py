"""The dispatcher factory: routers in a deliberate order, middlewares, app-wide dependencies."""

from __future__ import annotations

import logging

from aiogram import Dispatcher, Router
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import errors
from bot.middlewares import (
    AnswerEveryCallback,
    BoundedHandling,
    CommandsLeaveDialogs,
    DbSessionMiddleware,
    PrivateChatsOnly,
    ProcessOnce,
    RedisGate,
    RedisHealth,
    ScreenDialogs,
    StripNul,
    SuspendedUsers,
    ThrottlingMiddleware,
    UserLocaleMiddleware,
    UserMiddleware,
)
from bot.scheduler import Deadlines
from bot.sender import OutboxSender
from core.clock import Clock, SystemClock
from core.config import Settings
from handlers import (
    agents,
    catalog,
    checkout,
    confirm,
    digests,
    fallback,
    groups,
    menu,
    payments,
    profile,
    search,
    tracking,
)
from handlers.admin import agents as admin_agents
from handlers.admin import broadcast as admin_broadcast
from handlers.admin import catalog as admin_catalog
from handlers.admin import console as admin_console
from handlers.admin import groups as admin_groups
from handlers.admin import new_group as admin_new_group
from handlers.admin import people as admin_people
from handlers.admin import rates as admin_rates
from handlers.admin import shipments as admin_shipments
from handlers.admin import stats as admin_stats
from ui.callbacks import NoopCb, QtyCb

log = logging.getLogger(__name__)


def create_storage(settings: Settings) -> BaseStorage:
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisStorage

        return RedisStorage.from_url(settings.redis_url)
    return MemoryStorage()


def create_dispatcher(
    *,
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    i18n: I18n,
    clock: Clock | None = None,
    storage: BaseStorage | None = None,
    deadlines: Deadlines | None = None,
    sender: OutboxSender | None = None,
    redis_health: RedisHealth | None = None,
) -> Dispatcher:
    storage = storage or create_storage(settings)
    dp = Dispatcher(
        storage=storage,
        settings=settings,
        clock=clock or SystemClock(),
        deadlines=deadlines,
        sender=sender,
        i18n=i18n,
    )
    # Order matters. Every tap gets its answer, whatever happens further in (aiogram's own
    # errors middleware, outermost, hands failures to the errors router, which apologises).
    # A flood queues here instead of exhausting the database pool (see BoundedHandling).
    handling = dp["handling"] = BoundedHandling(settings.max_concurrent_updates)
    dp.update.outer_middleware(handling)
    if redis_health is not None:  # with REDIS_URL: nothing is handled while Redis is away
        dp["redis_health"] = redis_health
        dp.update.outer_middleware(RedisGate(redis_health))
    dp.update.outer_middleware(AnswerEveryCallback())
    # A redelivered update (same id) is handled once, by whichever worker took it first.
    dp.update.outer_middleware(ProcessOnce(session_factory, redis=getattr(storage, "redis", None)))
    # Then a session, the user's row, and their locale.
    dp.update.outer_middleware(PrivateChatsOnly())
    dp.update.outer_middleware(DbSessionMiddleware(session_factory))
    dp.update.outer_middleware(UserMiddleware())
    UserLocaleMiddleware(i18n).setup(dp)
    dp.update.outer_middleware(SuspendedUsers())  # after the locale: told in their language
    # after the locale, so the "too fast" notice is in the user's language
    throttling = ThrottlingMiddleware(settings.throttle_burst, settings.throttle_per_second)
    dp.message.outer_middleware(StripNul())
    dp.callback_query.outer_middleware(StripNul())
    dp.message.outer_middleware(throttling)
    dp.callback_query.outer_middleware(throttling)
    dp.message.outer_middleware(CommandsLeaveDialogs())
    # the quantity picker's typed number belongs to the picker's own screen
    picker = frozenset({QtyCb.__prefix__, NoopCb.__prefix__})  # its ± and its "·" buttons
    screens = {state.state or "": picker for state in groups.JoinState.__states__}
    dp.callback_query.outer_middleware(ScreenDialogs(screens))

    dp.include_routers(
        errors.build_router(),  # errors only: answers an update whose handler failed
        profile.router.build(),  # /start and the set-up dialog come first: they must always work
        confirm.router.build(),  # a prompt's Cancel (its Yes goes to the command's own router)
        admin_routers(),  # every admin router under one gate: skipped whole for buyers' updates
        agents.router.build(),  # agents' commands and alert buttons check the region themselves
        payments.router.build(),  # money: agents' and admins' (region checked), buyers' invoices
        fallback.gate.build(),  # before set-up is finished, everything else leads back to it
        menu.router.build(),
        catalog.router.build(),
        groups.router.build(),
        tracking.router.build(),
        digests.router.build(),
        checkout.router.build(),  # Settings → Delivery, line notes, the shared phone: before search's plain text
        search.router.build(),  # takes plain text outside dialogs: after every command router
        fallback.router.build(),  # catch-all: stale buttons, unknown commands — always last
    )
    log.info("router tree (order is behaviour):\n%s", router_tree(dp))
    return dp


def admin_routers() -> Router:
    """The admin routers, in order, under one parent whose root filters let in only admins'
    updates (and the next step of a dialog, which AdminOnly ends for a former admin): a buyer's
    tap or text is not tried against any of their handlers. Each router keeps its own AdminOnly
    too; what a non-admin sends goes on to the fallback, which answers it as AdminOnly would."""
    from handlers.routing import admin_or_in_dialog, from_admin

    parent = Router(name="admin")
    parent.message.filter(admin_or_in_dialog)
    parent.callback_query.filter(from_admin)
    parent.include_routers(
        admin_console.router.build(),  # gated once more each (RouterSpec admin_only)
        admin_rates.router.build(),
        admin_new_group.router.build(),
        admin_groups.router.build(),
        admin_agents.router.build(),
        admin_shipments.router.build(),
        admin_catalog.router.build(),  # before people: /export products is the catalogue's
        admin_people.router.build(),
        admin_broadcast.router.build(),
        admin_stats.router.build(),
    )
    return parent


def router_tree(router: Router, depth: int = 0) -> str:
    """The routers in the order updates meet them, one per line, indented by nesting; admin
    routers are marked."""
    from handlers.routing import admin_or_in_dialog

    gated = any(type(m).__name__ == "AdminOnly" for m in router.message.middleware) or any(
        f.callback is admin_or_in_dialog for f in router.message._handler.filters or []
    )
    name = "dispatcher" if isinstance(router, Dispatcher) else router.name
    lines = ["  " * depth + name + ("  [admins only]" if gated else "")]
    lines += [router_tree(sub, depth + 1) for sub in router.sub_routers]
    return "\n".join(lines)
