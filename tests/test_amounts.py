"""Amounts a restaurant owner can check: unit price × quantity = line, lines = order, in the
currency shown, and the rate fixed on the order once it is confirmed."""

from datetime import timedelta

import pytest

from tests.conftest import ADMIN_ID
from tests.harness import Harness
from tests.test_group_orders import join_with_buttons, open_group, order_of, plain

pytestmark = pytest.mark.clock


async def test_orders_show_lines_that_add_up_and_keep_the_agreed_rate(app: Harness):
    admin = app.user(user_id=ADMIN_ID, language_code="en")
    group = await open_group(
        app, "country=IT city=Milan method=rail deadline=+1d min=1 offer=dried-shiitake:139"
    )
    assert "✅" in (await app.send(admin, "/rate EUR 0.128")).text
    buyer = app.user(language_code="it")
    await app.onboard(buyer, language="it", country="Italia", city="Milano")
    await join_with_buttons(app, buyer, group, 20)
    listing = plain((await app.send(buyer, "/orders")).text)
    assert "20 × 17,79 € (139,00 CN¥) = 355,80 € (2.780,00 CN¥)" in listing
    assert "355,84" not in listing
    await app.tick(timedelta(days=1, seconds=5))  # the group forms at 0.128
    order = await order_of(app, group.id, buyer.id)
    assert (order.currency, order.rate_micro, order.amount_local) == ("EUR", 128_000, 35580)
    # the rate moves afterwards (by more than 20 %: confirmed first)
    assert "⚠️" in (await app.send(admin, "/rate EUR 0.2")).text
    await app.tap(admin, "Set the new rate")
    assert "✅" in app.last(admin).text
    listing = plain((await app.send(buyer, "/orders")).text)
    assert "20 × 17,79 € (139,00 CN¥) = 355,80 € (2.780,00 CN¥)" in listing
    final = app.t("Final amount: {amount}", "it").format(amount="355,80 € (2.780,00 CN¥)")
    assert final in listing
    formed = next(t for t in app.texts(buyer) if "2.780,00" in t and "✅" in t)
    assert "355,80 €" in plain(formed)  # told the same figures when it formed
