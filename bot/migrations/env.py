"""Alembic environment: runs on the connection handed over by bot.db.migrate, or on DATABASE_URL."""

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

import models

target_metadata = models.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_from_settings() -> None:
    from bot.db import create_engine
    from core.config import Settings

    engine = create_engine(Settings().database_url)
    async with engine.begin() as conn:
        await conn.run_sync(_configure)
    await engine.dispose()


connection = context.config.attributes.get("connection")
if connection is not None:
    _configure(connection)
elif context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `python -m bot migrate`")
else:
    asyncio.run(_run_from_settings())
