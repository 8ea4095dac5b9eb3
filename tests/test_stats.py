"""/stats: the figures of the last 7, 30 and 90 days in the admin's time zone (orders, buyers,
revenue in yuan and euro, cities, products, groups formed and failed, against the period
before), in a fixed number of queries, and the chart as a PNG whose labels have every glyph in
every locale, Chinese included."""

from __future__ import annotations

import io
import logging
import re
import warnings
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from sqlalchemy import event
from sqlmodel import select

from core.locales import LOCALES
from domain.catalog import localized
from models import (
    ExchangeRate,
    GroupOffer,
    GroupOrder,
    GroupStatus,
    Order,
    OrderLine,
    OrderStatus,
    Product,
    User,
)
from services import stats as service
from tests.conftest import ADMIN_ID
from tests.harness import Harness
from tests.test_group_orders import UNKNOWN, join_with_buttons, open_group, plain
from ui import chart
from ui.money import format_money
from ui.stats import ADMIN_COMMANDS, chart_texts

pytestmark = pytest.mark.clock

ROME = ZoneInfo("Europe/Rome")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
USAGE = (
    "Usage: /stats [7|30|90] — orders, buyers, revenue and groups of the last 7 days "
    "(the default), 30 or 90 days."
)

# ── the rules ────────────────────────────────────────────────────────────────────────────


def test_only_7_30_and_90_days_are_periods():
    assert [service.parse_period(a) for a in (None, "", "  ", "7", "30", " 90 ")] == [
        7, 7, 7, 7, 30, 90
    ]  # fmt: skip
    for bad in ("5", "abc", "7 30", "-7", "07", "7d", "１", "90.0", "\x00", "9" * 400):
        assert service.parse_period(bad) is None, bad


def test_days_are_the_admins_calendar_days_across_a_dst_change():
    # Rome leaves summer time in the night of Sunday 25 October 2026: that day has 25 hours
    now = datetime(2026, 10, 27, 9, 0, tzinfo=UTC)
    period = service.period_of(7, now, "Europe/Rome")
    assert (period.first, period.last) == (date(2026, 10, 21), date(2026, 10, 27))
    assert period.bounds[0] == datetime(2026, 10, 20, 22, 0, tzinfo=UTC)  # midnight CEST
    assert period.bounds[-1] == datetime(2026, 10, 27, 23, 0, tzinfo=UTC)  # midnight CET
    lengths = [b - a for a, b in zip(period.bounds, period.bounds[1:], strict=False)]
    assert lengths.count(timedelta(hours=25)) == 1 and len(lengths) == 7
    assert period.previous_start == datetime(2026, 10, 13, 22, 0, tzinfo=UTC)
    # 01:30 in Shanghai is still the day before in UTC: it is Shanghai's calendar that counts
    shanghai = service.period_of(7, datetime(2026, 10, 26, 17, 30, tzinfo=UTC), "Asia/Shanghai")
    assert shanghai.last == date(2026, 10, 27)
    assert service.period_of(30, now, "Not/AZone").bounds[-1] == datetime(
        2026, 10, 28, tzinfo=UTC
    )  # an unknown zone is UTC


# ── the chart's glyphs ───────────────────────────────────────────────────────────────────

CHINESE = {
    "zh_Hans": chart.ChartTexts("最近 90 天的订单和收入", "订单数", "收入（¥）"),
    "zh_Hant": chart.ChartTexts("最近 90 天的訂單與營收", "訂單數", "營收（¥）"),
}


def render_capturing(locale: str, texts: chart.ChartTexts, days: int = 90):
    """Render and return the PNG with every warning and every matplotlib log record."""
    first = date(2026, 11, 1)
    dates = [first + timedelta(days=i) for i in range(days)]
    orders = [(i * 7) % 5 for i in range(days)]
    revenue = [n * 123_456 for n in orders]
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = logging.getLogger("matplotlib")
    keep = Keep(logging.DEBUG)
    logger.addHandler(keep)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            png = chart.render(dates, orders, revenue, currency="CNY", locale=locale, texts=texts)
    finally:
        logger.removeHandler(keep)
        logger.setLevel(level)
    problems = [str(w.message) for w in caught]
    problems += [r.getMessage() for r in records if r.levelno >= logging.WARNING]
    return png, problems


@pytest.mark.parametrize("locale", LOCALES)
def test_every_locale_renders_its_own_labels_without_a_missing_glyph(i18n, locale: str):
    with i18n.context(), i18n.use_locale(locale):
        texts = chart_texts(30, locale)
    png, problems = render_capturing(locale, texts, days=30)
    assert png.startswith(PNG_SIGNATURE)
    assert problems == []


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant"])
def test_chinese_labels_have_every_glyph(locale: str, tmp_path):
    """The catalogues may not be translated yet: real Chinese texts, given explicitly."""
    png, problems = render_capturing(locale, CHINESE[locale])
    assert problems == []
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (1080, 600)
    (tmp_path / f"chart-{locale}.png").write_bytes(png)


def test_every_character_of_the_chinese_labels_is_in_the_chosen_faces():
    """The same from the fonts' side: each character of the labels (and of the day and amount
    labels Babel writes) is in the charmap of the first face of the locale's families."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    chart.register_fonts()
    for locale, texts in CHINESE.items():
        family = chart.families(locale)[0]
        path = font_manager.findfont(font_manager.FontProperties(family=family),
                                     fallback_to_default=False)  # fmt: skip
        font = FT2Font(path, face_index=getattr(path, "face_index", 0))
        assert font.family_name == family
        charmap = font.get_charmap()
        days = [label for _, label in chart.day_labels(
            [date(2026, 12, 31) + timedelta(days=i) for i in range(7)], locale)]  # fmt: skip
        ticks = [chart.amount_tick(v, locale) for v in (0, 1500, 12_000, 2_500_000)]
        text = "".join([texts.title, texts.orders, texts.revenue, *days, *ticks])
        missing = {c for c in text if not c.isspace() and ord(c) not in charmap}
        assert missing == set(), (locale, missing)


def test_the_check_fails_when_a_glyph_is_missing(monkeypatch):
    """Without the CJK face (DejaVu Sans alone) the same Chinese labels are caught."""
    monkeypatch.setattr(chart, "families", lambda _locale: ["DejaVu Sans"])
    _png, problems = render_capturing("zh_Hans", CHINESE["zh_Hans"], days=7)
    assert any("missing from font" in p for p in problems), problems


def test_a_chart_needs_one_value_per_day():
    texts = chart.ChartTexts("t", "o", "r")
    with pytest.raises(ValueError):
        chart.render([date(2026, 1, 1)], [1, 2], [3], currency="CNY", locale="en", texts=texts)
    with pytest.raises(ValueError):
        chart.render([], [], [], currency="CNY", locale="en", texts=texts)


def test_day_labels_keep_today_and_about_ten():
    days = [date(2026, 9, 3) + timedelta(days=i) for i in range(90)]
    labels = chart.day_labels(days, "en")
    assert labels[-1] == (89, "Dec 1") and len(labels) <= chart.MAX_DAY_LABELS
    assert [text for _, text in chart.day_labels(days[-7:], "zh_Hans")][-1] == "12月1日"
    assert len(chart.day_labels(days[-7:], "de")) == 7


# ── end to end ───────────────────────────────────────────────────────────────────────────


async def admin_of(app: Harness):
    admin = app.user(user_id=ADMIN_ID, language_code="en")
    await app.onboard(admin, language="en", country="Italy", city="Milan")
    async with app.session_factory() as session:
        row = await session.get(User, ADMIN_ID)
        assert row is not None and row.timezone == "Europe/Rome"
    return admin


def local_noon(app: Harness, days_ago: int) -> datetime:
    """Noon of a day `days_ago` days before today on the admin's calendar (today: now)."""
    now = app.clock.now()
    if days_ago == 0:
        return now
    day = now.astimezone(ROME).date() - timedelta(days=days_ago)
    return datetime.combine(day, time(12), tzinfo=ROME).astimezone(UTC)


async def seed_sales(app: Harness) -> tuple[dict[str, Product], dict[str, int]]:
    """Groups and orders over the last 40 days, written as rows (timestamps from the clock):

    - Milan (formed 2 days ago, ¥38 shiitake): A (2, confirmed, 5 days ago), B (1, paid, 3 days
      ago), and G (1 rice sack at ¥50, 40 days ago);
    - Madrid (open, tiers 0/10 at ¥50/¥45 tea, 12 units in: tier 2): C (4, today) and D (8,
      yesterday), both still placed;
    - Paris (failed yesterday): E, cancelled; Vienna (cancelled 3 days ago);
    - Lisbon (formed 10 days ago): F (1 rice sack at ¥100, delivered, 10 days ago).
    """
    now = app.clock.now()
    async with app.session_factory() as session:
        products = {
            p.slug: p
            for p in (await session.exec(select(Product))).all()
            if p.slug in ("qingtian-green-tea", "dried-shiitake", "restaurant-rice-10kg")
        }
        tea, shiitake, rice = (
            products["qingtian-green-tea"], products["dried-shiitake"],
            products["restaurant-rice-10kg"],
        )  # fmt: skip

        def group(city: str, country: str, status: str, closed: datetime | None, **kw):
            return GroupOrder(
                country=country, city=city, method="rail", deadline=now + timedelta(days=3),
                measure="units", min_total=1, status=status, closed_at=closed, **kw,
            )  # fmt: skip

        milan = group("Milan", "IT", GroupStatus.FORMED, local_noon(app, 2), total=4)
        madrid = group("Madrid", "ES", GroupStatus.OPEN, None, tiers=[0, 10], total=12)
        paris = group("Paris", "FR", GroupStatus.FAILED, local_noon(app, 1))
        vienna = group("Vienna", "AT", GroupStatus.CANCELLED, local_noon(app, 3))
        lisbon = group("Lisbon", "PT", GroupStatus.DELIVERED, local_noon(app, 10), total=1)
        session.add_all([milan, madrid, paris, vienna, lisbon])
        await session.flush()
        offer = {
            "milan-shiitake": GroupOffer(group_id=milan.id, product_id=shiitake.id, prices=[3800]),
            "milan-rice": GroupOffer(group_id=milan.id, product_id=rice.id, prices=[5000]),
            "madrid-tea": GroupOffer(group_id=madrid.id, product_id=tea.id, prices=[5000, 4500]),
            "paris-tea": GroupOffer(group_id=paris.id, product_id=tea.id, prices=[5000]),
            "lisbon-rice": GroupOffer(group_id=lisbon.id, product_id=rice.id, prices=[10000]),
        }
        session.add_all(offer.values())
        await session.flush()

        async def order(user: int, group_: GroupOrder, status: str, days_ago: int,
                        key: str, quantity: int, amount: int | None) -> None:  # fmt: skip
            row = Order(group_id=group_.id, user_id=user, status=status, amount_cny=amount,
                        created_at=local_noon(app, days_ago))  # fmt: skip
            session.add(row)
            await session.flush()
            session.add(OrderLine(order_id=row.id, offer_id=offer[key].id, quantity=quantity,
                                  amount=quantity))  # fmt: skip

        await order(7001, milan, OrderStatus.CONFIRMED, 5, "milan-shiitake", 2, 7600)  # A
        await order(7002, milan, OrderStatus.PAID, 3, "milan-shiitake", 1, 3800)  # B
        await order(7001, madrid, OrderStatus.PLACED, 0, "madrid-tea", 4, None)  # C
        await order(7003, madrid, OrderStatus.PLACED, 1, "madrid-tea", 8, None)  # D
        await order(7004, paris, OrderStatus.CANCELLED, 2, "paris-tea", 3, None)  # E
        await order(7005, lisbon, OrderStatus.DELIVERED, 10, "lisbon-rice", 1, 10000)  # F
        await order(7006, milan, OrderStatus.CONFIRMED, 40, "milan-rice", 1, 5000)  # G
        await session.commit()
    return products, {key: value.id for key, value in offer.items()}


def stats_message(app: Harness, admin) -> str:
    texts = [m for m in app.emulator.bot_messages(admin.id) if m.kind == "text"]
    return plain(texts[-1].text)


def photo_of(app: Harness, call_index: int = -1) -> bytes:
    upload = app.emulator.calls("sendPhoto")[call_index].params["photo"]
    return upload.content


async def test_stats_7_gives_the_figures_and_a_chart(app: Harness, tmp_path):
    admin = await admin_of(app)
    products, _offers = await seed_sales(app)
    photos = len(app.emulator.calls("sendPhoto"))
    last = await app.send(admin, "/stats 7")

    # the chart comes last, as a photo with a caption
    assert last is not None and last.kind == "photo"
    assert len(app.emulator.calls("sendPhoto")) == photos + 1
    assert plain(last.caption).startswith("📈 Orders and revenue per day, ")
    png = photo_of(app)
    assert png.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.size == (1080, 600)
    (tmp_path / "stats-7-en.png").write_bytes(png)
    colours = {c for _n, c in image.convert("RGB").getcolors(maxcolors=1 << 20) or []}
    assert (0x4C, 0x8B, 0xF5) in colours and (0xE8, 0x71, 0x0A) in colours  # bars and line

    text = stats_message(app, admin)
    en = lambda amount, cur="CNY": format_money(amount, cur, "en").replace("\xa0", " ")  # noqa: E731
    assert en(65400) == "CN¥654.00"
    assert "Sales, last 7 days" in text
    assert "🛒 4 orders (+300%)" in text  # A, B, C, D; the 7 days before: F
    assert "👥 3 buyers (+200%)" in text
    # 7600 + 3800 agreed, 4 × 45 + 8 × 45 provisional; € at 0.128: 83.712 → 83.71
    assert f"💰 {en(65400)} ≈ {en(8371, 'EUR')} (+554%)" in text
    assert f"⏳ Provisional: {en(54000)} of it, 2 orders in groups still open" in text
    assert "Euro at today’s rate: 1 CNY = 0.128 EUR" in text
    assert "📦 1 group formed · 1 group failed · 1 group cancelled" in text
    assert f"• Madrid, Spain: 2 orders · {en(54000)}" in text
    assert f"• Milan, Italy: 2 orders · {en(11400)}" in text
    assert text.index("Madrid, Spain") < text.index("Milan, Italy")  # by revenue
    assert "Paris" not in text and "Lisbon" not in text and "Vienna" not in text
    tea = localized(products["qingtian-green-tea"].names, "en")
    shiitake = localized(products["dried-shiitake"].names, "en")
    assert f"• 12 × {tea} · {en(54000)}" in text
    assert f"• 3 × {shiitake} · {en(11400)}" in text
    assert (
        f"The 7 days before: 1 order · 1 buyer · {en(10000)}; 1 group formed · 0 groups failed"
        in text
    )


async def test_stats_30_and_90_reach_further_back(app: Harness):
    admin = await admin_of(app)
    await seed_sales(app)
    await app.send(admin, "/stats 30")
    thirty = stats_message(app, admin)
    assert "Sales, last 30 days" in thirty
    assert "🛒 5 orders" in thirty and "👥 4 buyers" in thirty  # F (10 days ago) too
    assert "CN¥754.00" in thirty
    assert "📦 2 groups formed · 1 group failed · 1 group cancelled" in thirty
    assert "Lisbon, Portugal: 1 order · CN¥100.00" in thirty
    assert "The 30 days before: 1 order · 1 buyer · CN¥50.00" in thirty  # G, 40 days ago
    await app.send(admin, "/stats 90")
    ninety = stats_message(app, admin)
    assert "Sales, last 90 days" in ninety
    assert "🛒 6 orders" in ninety and "👥 5 buyers" in ninety and "CN¥804.00" in ninety
    assert "The 90 days before: 0 orders · 0 buyers · CN¥0.00" in ninety
    assert len(app.emulator.calls("sendPhoto")) == 2
    for index in (-2, -1):
        image = Image.open(io.BytesIO(photo_of(app, index)))
        assert image.format == "PNG" and image.size == (1080, 600)


async def test_bad_periods_get_the_usage(app: Harness):
    admin = await admin_of(app)
    for args in ("5", "abc", "7 30", "-7", "365", "<b>7</b>", "x" * 3000):
        reply = await app.send(admin, f"/stats {args}")
        assert reply is not None and reply.text == app.t(USAGE, "en"), args
    assert app.emulator.calls("sendPhoto") == []


async def test_no_orders_says_so_without_a_chart(app: Harness):
    admin = await admin_of(app)
    reply = await app.send(admin, "/stats")
    text = plain(reply.text)
    assert "Sales, last 7 days" in text
    assert "No orders in the last 7 days." in text
    assert "📦 0 groups formed · 0 groups failed" in text
    assert "By city" not in text
    assert app.emulator.calls("sendPhoto") == []


async def test_non_admins_get_the_unknown_command_reply(app: Harness):
    await seed_sales(app)
    buyer = app.user(language_code="en")
    await app.onboard(buyer, language="en", country="Italy", city="Milan")
    for command in ("/stats", "/stats 30", "/stats abc"):
        reply = await app.send(buyer, command)
        assert reply is not None and reply.text == UNKNOWN
    assert app.emulator.calls("sendPhoto") == []


async def test_without_an_eur_rate_it_says_so_and_names_are_escaped(app: Harness):
    admin = await admin_of(app)
    products, _offers = await seed_sales(app)
    async with app.session_factory() as session:
        rate = await session.get(ExchangeRate, "EUR")
        await session.delete(rate)
        tea = await session.get(Product, products["qingtian-green-tea"].id)
        tea.names = {**tea.names, "en": "<b>Tea</b> & Co"}
        session.add(tea)
        await session.commit()
    await app.send(admin, "/stats")
    text = stats_message(app, admin)
    assert "≈" not in text
    assert "No EUR rate is set, so no amount in euro: set one with /rate EUR 0.128" in text
    html = [m for m in app.emulator.bot_messages(admin.id) if m.kind == "text"][-1].html
    assert "&lt;b&gt;Tea&lt;/b&gt; &amp; Co" in html


@pytest.mark.parametrize(
    "zone", ["Europe/Rome", "Asia/Shanghai", "America/Sao_Paulo", "Asia/Kolkata", "UTC"]
)
async def test_orders_fall_on_the_admins_calendar_day(app: Harness, zone: str):
    """The SQL buckets agree with each order's local date in the admin's zone, including an
    order at 23:30 in Rome (the next morning in Shanghai, the evening before in São Paulo)."""
    await seed_sales(app)
    async with app.session_factory() as session:
        b = (await session.exec(select(Order).where(Order.user_id == 7002))).one()
        day = app.clock.now().astimezone(ROME).date() - timedelta(days=2)
        b.created_at = datetime.combine(day, time(23, 30), tzinfo=ROME).astimezone(UTC)
        session.add(b)
        await session.commit()
        orders = (
            await session.exec(select(Order).where(Order.status != OrderStatus.CANCELLED))
        ).all()
        figures = await service.sales_stats(session, days=7, now=app.clock.now(), zone=zone)
    tz = ZoneInfo(zone)
    first = app.clock.now().astimezone(tz).date() - timedelta(days=6)
    expected = [0] * 7
    for order in orders:
        created = order.created_at.replace(tzinfo=order.created_at.tzinfo or UTC)
        index = (created.astimezone(tz).date() - first).days
        if 0 <= index < 7:
            expected[index] += 1
    assert figures.daily_orders == expected
    assert sum(expected) == figures.current.orders == 4
    assert sum(figures.daily_revenue_cny) == figures.current.revenue_cny == 65400


async def test_a_fixed_number_of_queries_whatever_the_orders(app: Harness):
    _products, offers = await seed_sales(app)
    engine = app.session_factory.kw["bind"].sync_engine
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # noqa: ANN001
        statements.append(statement)

    async def measure(days: int) -> int:
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            async with app.session_factory() as session:
                await service.sales_stats(
                    session, days=days, now=app.clock.now(), zone="Europe/Rome"
                )
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len([s for s in statements if s.lstrip().upper().startswith("SELECT")])

    few = await measure(7)
    async with app.session_factory() as session:  # twenty more orders in Madrid
        offer = await session.get(GroupOffer, offers["madrid-tea"])
        for user in range(8000, 8020):
            row = Order(group_id=offer.group_id, user_id=user, created_at=local_noon(app, user % 6))
            session.add(row)
            await session.flush()
            session.add(OrderLine(order_id=row.id, offer_id=offer.id, quantity=1, amount=1))
        await session.commit()
    many = await measure(7)
    assert few == many <= 7
    assert await measure(90) == few


async def test_stats_follow_real_joins_and_the_close(app: Harness):
    """Through the services: a buyer joins with the buttons (provisional), the group forms
    (agreed, and one group formed)."""
    from services import groups as groups_service

    admin = await admin_of(app)
    group = await open_group(
        app, "country=IT city=Milan method=rail deadline=+3d min=2 offer=dried-shiitake:38"
    )
    giulia = app.user(language_code="it", first_name="Giulia")
    await app.onboard(giulia, language="it", country="Italia", city="Milano")
    await join_with_buttons(app, giulia, group, 3)
    await app.send(admin, "/stats")
    text = stats_message(app, admin)
    assert "🛒 1 order" in text and "CN¥114.00" in text
    assert "⏳ Provisional: CN¥114.00 of it, 1 order in groups still open" in text
    async with app.session_factory() as session:
        await groups_service.close(session, group_id=group.id, now=app.clock.now(), force=True)
    await app.send(admin, "/stats")
    text = stats_message(app, admin)
    async with app.session_factory() as session:
        order = (await session.exec(select(Order).where(Order.group_id == group.id))).one()
    assert order.amount_cny == 11400
    assert "💰 CN¥114.00" in text and "provisional" not in text
    assert "📦 1 group formed · 0 groups failed" in text
    assert re.search(r"• 3 × .+ · CN¥114\.00", text)


def test_the_help_line():
    assert [name for name, _text in ADMIN_COMMANDS] == ["stats"]


def test_changes_are_shown_against_something():
    from ui.stats import change_text

    assert [change_text(c, p, "en") for c, p in [(4, 1), (1, 4), (7, 7), (1001, 1000), (0, 5)]] == [
        " (+300%)", " (-75%)", "", "", " (-100%)"
    ]  # fmt: skip
    assert change_text(5, 0, "en") == ""  # nothing to compare with
    assert change_text(4, 1, "fr").replace("\xa0", " ").replace("\u202f", " ") == " (+300 %)"
