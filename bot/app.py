"""Wiring: database, i18n, bot and dispatcher; polling, webhook, or the local sandbox."""

from __future__ import annotations

import asyncio
import logging
import sys
from datetime import UTC, datetime, timedelta

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import create_engine, create_session_factory, migrate
from bot.dispatcher import create_dispatcher
from bot.i18n import create_i18n
from bot.leader import LeaderElector
from core.config import Settings
from domain.shipments import parse_lead_times
from services import shipments
from services.search import current_index
from services.seed import catalogue_is_empty, seed_demo, seed_demo_groups
from ui.commands import role_of, set_default_commands, set_role_menus

log = logging.getLogger(__name__)

SANDBOX_TOKEN = "123456789:SANDBOX-local-emulator"


def create_bot(token: str, api_url: str | None) -> Bot:
    from bot.middlewares import record_callback_answers

    session = AiohttpSession(api=TelegramAPIServer.from_base(api_url)) if api_url else None
    bot = Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))
    record_callback_answers(bot)
    return bot


async def prepare_database(
    settings: Settings,
) -> tuple[AsyncEngine, async_sessionmaker[AsyncSession]]:
    shipments.configure(parse_lead_times(settings.lead_times))  # a typo stops the start-up
    engine = create_engine(settings.database_url)
    if settings.auto_migrate:
        await migrate(engine)
    factory = create_session_factory(engine)
    seed = settings.seed_demo if settings.seed_demo is not None else settings.sandbox
    if seed:
        async with factory() as session:
            if await catalogue_is_empty(session):
                report = await seed_demo(session)
                log.info("demo catalogue seeded: %s", report)
            else:  # the demo's group orders expire: open new ones where none is open
                await seed_demo_groups(session, now=datetime.now(UTC))
    async with factory() as session:  # the search index (and its dictionaries), before anyone waits
        await current_index(session)
    return engine, factory


class Services:
    """The background parts around a bot: the outbox sender, the deadline scheduler, the
    digest slots and the broadcasts' progress."""

    def __init__(self, bot: Bot, settings: Settings, factory, i18n, clock=None) -> None:  # noqa: ANN001
        from bot.scheduler import BroadcastProgress, Deadlines, DigestSlots, jobstore_for
        from bot.sender import OutboxSender
        from core.clock import SystemClock

        self.clock = clock or SystemClock()
        self.sender = OutboxSender.from_settings(
            settings, bot=bot, session_factory=factory, i18n=i18n, clock=self.clock
        )
        self.deadlines = Deadlines(
            session_factory=factory,
            clock=self.clock,
            remind_before=timedelta(hours=settings.reminder_hours),
            on_change=self.sender.wake,
            tick_seconds=settings.tick_seconds,
        )
        self.digests = DigestSlots(
            session_factory=factory, clock=self.clock, admin_ids=settings.admin_ids,
            slot_minutes=settings.digest_slot_minutes, on_change=self.sender.wake,
            jobstore=jobstore_for(settings.database_url, settings.redis_url),
        )  # fmt: skip
        self.broadcasts = BroadcastProgress(
            bot=bot, session_factory=factory, i18n=i18n, clock=self.clock,
            every=settings.broadcast_progress_seconds,
        )  # fmt: skip
        self._task: asyncio.Task | None = None
        self.redis_url = settings.redis_url
        self._elector: LeaderElector | None = None

    async def _run(self) -> None:
        self.sender.resume()
        self._task = asyncio.create_task(self.sender.run())
        await self.deadlines.start()
        await self.digests.start()
        await self.broadcasts.start()

    async def _halt(self) -> None:
        self.broadcasts.shutdown()
        self.digests.shutdown()
        self.deadlines.shutdown()
        self.sender.stop()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def start(self) -> None:
        """Run the sender and the scheduler here, or — with REDIS_URL — only while this worker
        holds the leader lock (several workers, one sender)."""
        if not self.redis_url:
            await self._run()
            return
        from redis.asyncio import Redis

        from bot.leader import LeaderElector, LeaderLock

        self._elector = LeaderElector(
            LeaderLock(Redis.from_url(self.redis_url)), on_elected=self._run, on_lost=self._halt
        )
        self._elector.start()

    async def stop(self) -> None:
        if self._elector is not None:
            await self._elector.stop()
            return
        await self._halt()


def build_dispatcher(settings: Settings, factory, i18n, services: Services) -> Dispatcher:  # noqa: ANN001
    health = None
    if settings.redis_url:
        from redis.asyncio import Redis

        from bot.middlewares import RedisHealth

        client = Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=2)
        health = RedisHealth(client.ping)
    dp = create_dispatcher(
        settings=settings,
        session_factory=factory,
        i18n=i18n,
        clock=services.clock,
        deadlines=services.deadlines,
        sender=services.sender,
        redis_health=health,
    )
    dp["broadcast_progress"] = services.broadcasts  # the Stop button reports at once
    return dp


class StartupError(Exception):
    """A dependency the configuration names is not there: said plainly, then the bot exits."""


async def check_redis(url: str) -> None:
    from redis.asyncio import Redis
    from redis.exceptions import RedisError

    client = Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5)
    try:
        await client.ping()
    except (RedisError, OSError) as error:
        raise StartupError(f"cannot reach Redis at REDIS_URL ({error})") from error
    finally:
        await client.aclose()


def stop_on_signals() -> asyncio.Event:
    """SIGTERM (docker stop) and SIGINT set the event: the bot then shuts down in order."""
    import signal

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def set_menus_of_roles(bot: Bot, settings: Settings, factory, i18n: I18n) -> None:  # noqa: ANN001
    """Admins and agents get their own command menus, in the language each chose."""
    from core.locales import user_locale
    from services.users import role_holders

    async with factory() as session:
        people = await role_holders(session, settings.admin_ids)
    menus = [
        (user.id, user_locale(user.locale, user.language_code),
         role_of(is_admin=admin, is_agent=agent))
        for user, admin, agent in people
    ]  # fmt: skip
    known = {user.id for user, _admin, _agent in people}
    # ADMIN_IDS who never wrote to the bot yet: their menu in the default language
    menus += [
        (admin_id, user_locale(None, None), role_of(is_admin=True))
        for admin_id in sorted(settings.admin_ids - known)
    ]
    with i18n.context():
        await set_role_menus(bot, menus)


async def run(settings: Settings) -> None:
    if settings.redis_url and not settings.sandbox:
        await check_redis(settings.redis_url)  # before anything consumes an update
    engine, factory = await prepare_database(settings)
    i18n = create_i18n(settings.locales_dir, settings.default_locale)
    i18n.set_current(i18n)
    try:
        if settings.sandbox:
            await run_sandbox(settings, factory, i18n)
            return
        assert settings.token
        bot = create_bot(settings.token, settings.telegram_api_url)
        try:
            services = Services(bot, settings, factory, i18n)
            dp = build_dispatcher(settings, factory, i18n, services)
            await set_default_commands(bot)  # also checks the token before anything starts
            await set_menus_of_roles(bot, settings, factory, i18n)
            stop = stop_on_signals()
            await services.start()
            health = dp.workflow_data.get("redis_health")
            watcher = asyncio.create_task(health.watch()) if health is not None else None
            try:
                if settings.webhook_url:
                    await run_webhook(settings, bot, dp, stop)
                else:
                    await bot.delete_webhook(drop_pending_updates=False)
                    await run_polling(bot, dp, stop)
                running = await dp["handling"].drained(within=30)
                log.warning("shutting down: the %s updates in flight are finished", running)
            finally:
                if watcher is not None:
                    watcher.cancel()
                await services.stop()
                log.warning("shutting down: sender and scheduler stopped, leader lock released")
        finally:
            await bot.session.close()
    finally:
        await engine.dispose()


async def run_polling(bot: Bot, dp: Dispatcher, stop: asyncio.Event) -> None:
    """Long polling until `stop`. Updates waiting to be handled are bounded, so when handling
    stalls (Redis away) polling stops fetching more."""
    limit = max(1, dp["handling"].limit) * 4
    polling = asyncio.create_task(
        dp.start_polling(
            bot,
            handle_signals=False,
            allowed_updates=dp.resolve_used_update_types(),
            tasks_concurrency_limit=limit,
        )  # fmt: skip
    )
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({polling, stopping}, return_when=asyncio.FIRST_COMPLETED)
    if stop.is_set():
        log.warning("shutting down: no more updates taken")
        await dp.stop_polling()
    stopping.cancel()
    await polling


WEBHOOK_PATH = "/webhook"


def build_webhook_app(settings: Settings, bot: Bot, dp: Dispatcher):  # noqa: ANN201
    """The aiohttp application that receives updates at /webhook. The secret token is checked
    (401 without it); the update is handled before the answer, which is 200 once it was, and 500
    when it failed, so that Telegram delivers it again instead of it being lost."""
    import hmac

    from aiogram.types import Update
    from aiohttp import web

    from bot.middlewares import update_outcome

    secret = settings.secret_token or ""

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
            return web.Response(status=401, text="unauthorized")
        try:
            update = Update.model_validate(await request.json(), context={"bot": bot})
        except ValueError:
            return web.Response(status=400, text="not an update")
        health = dp.workflow_data.get("redis_health")
        if health is not None and not health.up.is_set():
            return web.Response(status=503, text="Redis unreachable")  # Telegram retries later
        update_outcome.set(None)
        try:
            await dp.feed_update(bot, update)
        except Exception:
            log.exception("update %s failed", update.update_id)
            return web.Response(status=500, text="failed")
        outcome = update_outcome.get()
        if outcome is not None and outcome.failed:
            return web.Response(status=500, text="failed")
        return web.Response(status=200, text="ok")

    app = web.Application()
    app.router.add_post(WEBHOOK_PATH, receive)

    async def on_startup(_app: web.Application) -> None:
        await dp.emit_startup(bot=bot, **dp.workflow_data)

    async def on_shutdown(_app: web.Application) -> None:
        await dp.emit_shutdown(bot=bot, **dp.workflow_data)

    app.on_startup.append(on_startup)
    app.on_shutdown.append(on_shutdown)
    return app


async def run_webhook(
    settings: Settings, bot: Bot, dp: Dispatcher, stop: asyncio.Event | None = None
) -> None:
    from aiohttp import web

    app = build_webhook_app(settings, bot, dp)
    assert settings.webhook_url
    await bot.set_webhook(
        f"{settings.webhook_url.rstrip('/')}{WEBHOOK_PATH}",
        secret_token=settings.secret_token,
        allowed_updates=dp.resolve_used_update_types(),
    )
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, settings.webhook_host, settings.webhook_port).start()
    log.info("webhook listening on %s:%s", settings.webhook_host, settings.webhook_port)
    try:
        await (stop or asyncio.Event()).wait()
        log.warning("shutting down: no more updates taken")
    finally:
        await runner.cleanup()


async def run_sandbox(settings: Settings, factory, i18n) -> None:  # noqa: ANN001
    """No token: a Bot API emulator on loopback, and this terminal as the buyer's chat."""
    from bot.sandbox.emulator import BotAPIEmulator, EmuUser
    from bot.sandbox.terminal import run_terminal

    # The sandbox user may try the admin commands too.
    settings = settings.model_copy(
        update={"admin_ids": settings.admin_ids | {settings.sandbox_user_id}}
    )
    async with BotAPIEmulator(port=settings.sandbox_port) as emulator:
        bot = create_bot(SANDBOX_TOKEN, emulator.base_url)
        services = Services(bot, settings, factory, i18n)
        dp = build_dispatcher(settings, factory, i18n, services)
        await set_default_commands(bot)
        await set_menus_of_roles(bot, settings, factory, i18n)
        await services.start()
        polling = asyncio.create_task(
            dp.start_polling(
                bot,
                handle_signals=False,
                # one update at a time: the terminal reads the next line once the bot is idle
                handle_as_tasks=False,
                allowed_updates=dp.resolve_used_update_types(),
            )
        )
        user = EmuUser(id=settings.sandbox_user_id, first_name="Sandbox", language_code=None)
        banner = (
            f"Qingtian Bridge sandbox — Bot API emulator at {emulator.base_url}\n"
            "You are a buyer (and an admin) in a private chat with the bot. Type /start.\n"
            "Press inline button N with #N; :help for more; :quit or Ctrl-D to leave."
        )
        try:
            await run_terminal(emulator, user, banner=banner)
        finally:
            await services.stop()
            await dp.stop_polling()
            await asyncio.gather(polling, return_exceptions=True)
            await bot.session.close()


class RedactingFormatter(logging.Formatter):
    """Log lines (tracebacks included) with the bot token replaced: request URLs carry it."""

    def __init__(self, fmt: str, secrets: tuple[str, ...] = ()) -> None:
        super().__init__(fmt)
        self.secrets = tuple(secret for secret in secrets if secret)

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self.secrets:
            text = text.replace(secret, "<redacted>")
        return text


def configure_logging(level: int = logging.INFO, secrets: tuple[str | None, ...] = ()) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        RedactingFormatter(
            "%(asctime)s %(levelname)s %(name)s: %(message)s",
            tuple(secret for secret in secrets if secret),
        )
    )
    logging.basicConfig(level=level, handlers=[handler], force=True)
