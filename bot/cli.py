"""Command line: `python -m bot` (run), `seed-demo`, `send-outbox`, `reset-sandbox`, `migrate`."""

from __future__ import annotations

import argparse
import asyncio
import logging

from core.config import Settings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Qingtian Bridge Telegram bot. Without BOT_TOKEN it runs a local sandbox.",
    )
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (the default)")
    sub.add_parser("seed-demo", help="load the demo catalogue (idempotent)")
    sub.add_parser(
        "send-outbox", help="send every pending notification, then exit (needs BOT_TOKEN)"
    )
    reset_parser = sub.add_parser(
        "reset-sandbox",
        help="empty the database, upgrade it and seed the demo again (sandbox only)",
    )
    reset_parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    migrate_parser = sub.add_parser("migrate", help="upgrade the database schema")
    migrate_parser.add_argument("revision", nargs="?", default="head")
    args = parser.parse_args(argv)
    try:
        settings = Settings()
    except ValueError as error:  # pydantic's ValidationError: say which setting, not a traceback
        parser.exit(2, f"invalid configuration: {error}\n")

    from bot.app import configure_logging

    secrets = settings.secrets

    def redact(text: str) -> str:
        for secret in secrets:
            text = text.replace(secret, "<redacted>")
        return text

    if args.command in (None, "run"):
        configure_logging(logging.WARNING if settings.sandbox else logging.INFO, secrets=secrets)
        from aiogram.exceptions import TelegramNetworkError, TelegramUnauthorizedError

        from bot.app import StartupError, run

        try:
            asyncio.run(run(settings))
        except KeyboardInterrupt:
            pass
        except StartupError as error:
            parser.exit(1, redact(f"{error}\n"))
        except TelegramUnauthorizedError:
            parser.exit(1, "Telegram refused BOT_TOKEN: check the token from @BotFather.\n")
        except TelegramNetworkError as error:
            parser.exit(
                1,
                redact(f"cannot reach the Bot API server ({error}); check TELEGRAM_API_URL.\n"),
            )
        except Exception as error:  # a wrong TELEGRAM_API_URL answers 404s, HTML pages…
            logging.getLogger("bot").error("stopped", exc_info=error)  # the formatter redacts
            parser.exit(
                1,
                redact(
                    f"the bot stopped: {type(error).__name__}: {error}; "
                    "check TELEGRAM_API_URL and BOT_TOKEN.\n"
                ),
            )
    elif args.command == "seed-demo":
        configure_logging(secrets=secrets)
        asyncio.run(_seed(settings))
    elif args.command == "send-outbox":
        configure_logging(secrets=secrets)
        if not settings.bot_token:
            parser.error("send-outbox needs BOT_TOKEN (and TELEGRAM_API_URL for a local server)")
        asyncio.run(_send_outbox(settings))
    elif args.command == "reset-sandbox":
        configure_logging(logging.WARNING)
        if not settings.sandbox:
            parser.exit(2, "reset-sandbox empties the database: it runs without BOT_TOKEN only.\n")
        if not args.yes:
            answer = input(f"Empty {settings.database_url} and seed the demo again? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                parser.exit(1, "nothing changed\n")
        asyncio.run(_reset(settings))
    elif args.command == "migrate":
        configure_logging(secrets=secrets)
        asyncio.run(_migrate(settings, args.revision))


async def _seed(settings: Settings) -> None:
    from bot.db import create_engine, create_session_factory, migrate
    from services.seed import seed_demo

    engine = create_engine(settings.database_url)
    try:
        if settings.auto_migrate:
            await migrate(engine)
        async with create_session_factory(engine)() as session:
            report = await seed_demo(session)
        print(
            f"demo catalogue: {report.categories} categories, {report.products} products, "
            f"{report.rates} new exchange rates, {report.created} rows created, "
            f"{report.groups} demo group orders opened"
        )
    finally:
        await engine.dispose()


async def _reset(settings: Settings) -> None:
    from sqlalchemy import text
    from sqlmodel import SQLModel

    import models  # noqa: F401 - every table registered on the metadata
    from bot.db import create_engine, create_session_factory, migrate
    from services.seed import seed_demo

    engine = create_engine(settings.database_url)
    try:
        async with engine.begin() as conn:  # every table, in foreign-key order
            await conn.run_sync(SQLModel.metadata.drop_all)
            await conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        await migrate(engine)
        async with create_session_factory(engine)() as session:
            report = await seed_demo(session)
        print(
            f"sandbox reset: {settings.database_url} is empty again, with {report.products} "
            f"demo products and {report.groups} open group orders"
        )
    finally:
        await engine.dispose()


async def _send_outbox(settings: Settings) -> None:
    from bot.app import create_bot
    from bot.db import create_engine, create_session_factory
    from bot.i18n import create_i18n
    from bot.sender import OutboxSender
    from core.clock import SystemClock

    engine = create_engine(settings.database_url)
    bot = create_bot(settings.token or "", settings.telegram_api_url)
    sender = OutboxSender.from_settings(
        settings,
        bot=bot,
        session_factory=create_session_factory(engine),
        i18n=create_i18n(settings.locales_dir, settings.default_locale),
        clock=SystemClock(),
    )
    try:
        await sender.run_until_empty()
    finally:
        await bot.session.close()
        await engine.dispose()


async def _migrate(settings: Settings, revision: str) -> None:
    from bot.db import create_engine, migrate

    engine = create_engine(settings.database_url)
    try:
        await migrate(engine, revision)
        print(f"database at {revision}")
    finally:
        await engine.dispose()


if __name__ == "__main__":
    main()
