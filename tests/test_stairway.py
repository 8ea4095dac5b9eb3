"""Every migration upgrades, downgrades and upgrades again (the "stairway" test)."""

from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from bot.db import alembic_config, create_engine, migrate
from models import metadata
from tests.conftest import database_url, reset_database


def revisions() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


async def table_names(engine) -> set[str]:
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    return names - {"alembic_version"}


async def test_stairway(tmp_path):
    url = database_url(tmp_path)
    await reset_database(url)
    engine = create_engine(url)
    try:
        previous = "base"
        for revision in revisions():
            await migrate(engine, revision)
            await migrate(engine, previous, action="downgrade")
            await migrate(engine, revision)
            previous = revision
        tables = await table_names(engine)
        assert tables == set(metadata.tables)
        await migrate(engine, "base", action="downgrade")
        emptied = await table_names(engine)
        assert emptied == set()
    finally:
        await engine.dispose()


async def test_models_match_migrations(tmp_path):
    """Autogenerate finds nothing to add: the models and the migrations agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    url = database_url(tmp_path)
    await reset_database(url)
    engine = create_engine(url)
    try:
        await migrate(engine)
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda c: compare_metadata(
                    MigrationContext.configure(c, opts={"compare_type": True}), metadata
                )
            )
        assert diff == []
    finally:
        await engine.dispose()
