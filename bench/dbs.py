"""Each benchmark owns the database it measures.

`own_database(url)` gives a database no one else uses and removes it afterwards:

- without a URL (or with a SQLite one), a SQLite file in a fresh temporary directory;
- with a PostgreSQL URL, a new database on that server (`qt_bench_<name>_<pid>_<random>`),
  created through the URL's own database (which is only connected to, never written) and dropped
  at the end, even when the bench fails.

A bench never resets a schema it did not create: the database everyone's tests use is safe from
it. `refuse_foreign_tables` is the check for a database a bench is handed as is.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from bot.db import create_engine, is_sqlite, normalize_url


@asynccontextmanager
async def own_database(url: str | None, *, name: str) -> AsyncIterator[str]:
    """The URL of a fresh, empty database for one bench run (see the module's docstring)."""
    if url is None or is_sqlite(normalize_url(url)):
        directory = tempfile.mkdtemp(prefix=f"qt-{name}-")
        try:
            yield f"sqlite:///{directory}/{name}.db"
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        return
    server = make_url(normalize_url(url))
    database = f"qt_bench_{name}_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(
        server.set(database=server.database or "postgres").render_as_string(hide_password=False),
        isolation_level="AUTOCOMMIT",
    )
    try:
        async with admin.connect() as conn:
            await conn.exec_driver_sql(f'CREATE DATABASE "{database}"')
    except Exception as error:
        await admin.dispose()
        raise SystemExit(
            f"the bench needs to create its own database on {server.host}: {error}"
        ) from error
    own = server.set(database=database).render_as_string(hide_password=False)
    try:
        await refuse_foreign_tables(own)
        yield own
    finally:
        async with admin.connect() as conn:
            await conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await admin.dispose()


async def refuse_foreign_tables(url: str) -> None:
    """Stop unless the database has no tables at all (a bench fills it from scratch)."""
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            tables = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
    finally:
        await engine.dispose()
    if tables:
        raise SystemExit(f"refusing {make_url(url).database}: it already has tables {tables[:5]}")
