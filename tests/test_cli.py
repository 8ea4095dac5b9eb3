"""The command line: resetting the sandbox after it was used."""

from sqlmodel import func, select

from bot.cli import _reset
from models import GroupOrder, Order, Product
from tests.harness import Harness
from tests.test_group_orders import join_with_buttons, open_group


async def test_reset_sandbox_empties_a_used_database_and_seeds_the_demo(app: Harness):
    group = await open_group(
        app, "country=IT city=Milan method=rail deadline=+3d min=5 offer=dried-shiitake:38"
    )
    buyer = app.user(language_code="en")
    await app.onboard(buyer, language="en", country="Italy", city="Milan")
    await join_with_buttons(app, buyer, group, 2)  # orders and lines reference the groups
    settings = app.settings.model_copy(update={"bot_token": None})
    await _reset(settings)
    async with app.session_factory() as session:
        orders = (await session.exec(select(func.count()).select_from(Order))).one()
        products = (await session.exec(select(func.count()).select_from(Product))).one()
        groups = (await session.exec(select(GroupOrder))).all()
    assert orders == 0 and products > 20
    assert {g.city for g in groups} >= {"Milan", "Madrid", "Lisbon"}
