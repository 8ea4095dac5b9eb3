"""Database engine, sessions and migrations.

Plain `sqlite:///…` and `postgresql://…` URLs are accepted; the async driver is chosen for them.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000
POOL_RECYCLE_SECONDS = 1800


def normalize_url(url: str) -> str:
    """Pick the async driver for plain database URLs."""
    parsed = make_url(url)
    backend, _, driver = parsed.drivername.partition("+")
    if backend == "sqlite" and driver in ("", "pysqlite"):
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif backend in ("postgresql", "postgres") and driver in ("", "psycopg2", "psycopg"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(
    url: str, *, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS, **kwargs: object
) -> AsyncEngine:
    """An async engine; on SQLite in WAL mode, with a busy timeout for other processes' writes
    (this process's own writers queue in `services.tx.begin_write` instead)."""
    url = normalize_url(url)
    if is_sqlite(url):
        kwargs.setdefault("connect_args", {"timeout": busy_timeout_ms / 1000})
        engine = create_async_engine(url, **kwargs)

        def pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
            _sqlite_pragmas(dbapi_connection, busy_timeout_ms)

        event.listen(engine.sync_engine, "connect", pragmas)
        return engine
    # no ping per checkout (a round trip on every update): connections are recycled before
    # servers or proxies drop idle ones, and a connection found dead fails that one update
    # (answered with an apology; Telegram's redelivery is handled)
    kwargs.setdefault("pool_recycle", POOL_RECYCLE_SECONDS)
    return create_async_engine(url, **kwargs)


def _sqlite_pragmas(dbapi_connection, busy_timeout_ms: int) -> None:  # noqa: ANN001
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def _run(connection: Connection, action: str, revision: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    getattr(command, action)(cfg, revision)


async def migrate(engine: AsyncEngine, revision: str = "head", action: str = "upgrade") -> None:
    """Upgrade (or downgrade) the schema on the engine's database.

    On SQLite, a migration that changes a table's columns rebuilds it (copy, drop, rename), and
    dropping a table that other rows point to fails while foreign keys are enforced: they are
    turned off for the migration (SQLite allows that only outside a transaction), checked
    afterwards (a migration that left a dangling reference fails), and turned on again."""
    if engine.dialect.name != "sqlite":
        async with engine.begin() as conn:
            await conn.run_sync(_run, action, revision)
        return
    async with engine.connect() as conn:
        await conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        try:
            await conn.run_sync(_run, action, revision)
            await conn.commit()
            dangling = (await conn.exec_driver_sql("PRAGMA foreign_key_check")).fetchall()
            await conn.commit()
            if dangling:
                raise RuntimeError(f"the migration left dangling references: {dangling[:5]}")
        finally:
            await conn.exec_driver_sql("PRAGMA foreign_keys=ON")
