"""Search quality on the demo catalogue: inflections, synonyms, pinyin, both Chinese scripts,
whole words, typos; and the in-memory index following the catalogue."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass

import pytest
import snowballstemmer
from sqlalchemy import event
from sqlmodel import select

from bot.db import create_engine, create_session_factory
from domain import search_text
from models import Category, Product
from services import search
from services.catalog import refresh_search_fields
from services.search import search_products, tokens
from services.search_index import SearchIndex

MUSHROOMS = frozenset(
    {"dried-shiitake", "flower-shiitake", "shiitake-restaurant-1kg", "black-fungus"}
)
SHIITAKE = MUSHROOMS - {"black-fungus"}
TEAS = frozenset({"qingtian-green-tea", "lishui-xiangcha"})
TEA_GIFT = "tea-oil-gift-box"


@pytest.fixture(autouse=True)
def fresh_indexes():
    """Each test starts and ends without any index (none built at a moved clock survives)."""
    search.reset()
    yield
    search.reset()


@dataclass(frozen=True)
class Case:
    locale: str
    query: str
    first: tuple[str, ...] = ()  # the first results, in this order
    top: frozenset[str] = frozenset()  # the first len(top) results, in any order
    found: frozenset[str] = frozenset()  # among the results
    absent: frozenset[str] = frozenset()  # not among the results
    only: bool = False  # nothing else is found
    above: tuple[tuple[str, str], ...] = ()  # (a, b): a is found, and ranks above b if found

    def __str__(self) -> str:
        return f"{self.locale}:{self.query}"


CASES = [
    # Chinese, Simplified: whole words first, pinyin, synonyms
    Case("zh_Hans", "香菇", first=("dried-shiitake", "shiitake-restaurant-1kg", "flower-shiitake")),
    Case("zh_Hans", "庆元香菇", first=("dried-shiitake", "flower-shiitake"), only=True),
    Case("zh_Hans", "蘑菇", top=MUSHROOMS),
    Case(
        "zh_Hans",
        "xianggu",
        top=frozenset({"dried-shiitake", "shiitake-restaurant-1kg"}),
        only=True,
    ),
    Case(
        "zh_Hans",
        "xiang gu",
        top=frozenset({"dried-shiitake", "shiitake-restaurant-1kg"}),
        only=True,
    ),
    Case("zh_Hans", "sungan", first=("dried-bamboo-shoots",), only=True),
    Case("zh_Hans", "sun gan", first=("dried-bamboo-shoots",), only=True),
    Case("zh_Hans", "lvcha", top=frozenset({"qingtian-green-tea", "tea-oil-gift-box"})),
    Case("zh_Hans", "lücha", top=frozenset({"qingtian-green-tea", "tea-oil-gift-box"})),
    Case("zh_Hans", "xiangu", found=frozenset({"dried-shiitake"})),  # pinyin with a typo
    Case(
        "zh_Hans",
        "米",
        first=("rice-fish-rice-5kg",),
        found=frozenset({"restaurant-rice-10kg", "restaurant-rice-25kg", "qingtian-rice-noodles"}),
        absent=frozenset({"salami", "stone-seal", "small-stone-carving"}),  # 萨拉米, 厘米
    ),
    Case("zh_Hans", "鱼", top=frozenset({"rice-fish-rice-5kg", "dried-field-carp"})),
    Case("zh_Hans", "米", above=(("restaurant-rice-25kg", "lishui-yellow-wine"),)),
    Case("zh_Hans", "香菰", top=SHIITAKE, only=True),  # a variant of 香菇
    Case("zh_Hans", "茶叶", top=TEAS, found=frozenset({TEA_GIFT})),  # the welcome's example
    Case("zh_Hant", "茶葉", top=TEAS, found=frozenset({TEA_GIFT})),
    # 苦茶油 is segmented 苦 茶油: the synonym of the phrase still fires
    Case("zh_Hant", "苦茶油", first=("camellia-oil-1l", TEA_GIFT)),
    # Chinese, Traditional, and the two scripts mixed
    Case("zh_Hant", "筍乾", first=("dried-bamboo-shoots",), only=True),
    Case("zh_Hant", "慶元香菇", first=("dried-shiitake", "flower-shiitake"), only=True),
    Case("zh_Hans", "麗水笋干", first=("dried-bamboo-shoots",)),
    Case("zh_Hant", "乾香菇", first=("shiitake-restaurant-1kg", "dried-shiitake")),
    Case("zh_Hant", "huang jiu", first=("lishui-yellow-wine",), only=True),
    # English
    Case("en", "shiitake", top=SHIITAKE, only=True),
    Case("en", "mushrooms", top=MUSHROOMS),
    Case("en", "shitake", top=SHIITAKE, only=True),  # a missing letter
    Case("en", "banboo", first=("dried-bamboo-shoots",)),  # a wrong letter
    Case("en", "green tea", top=TEAS),
    Case(
        "en",
        "25 kg",
        first=("restaurant-rice-25kg",),
        only=True,
        absent=frozenset({"black-fungus"}),
    ),
    Case("en", "25kg", first=("restaurant-rice-25kg",), only=True),
    Case("en", "1,9 L", first=("soy-sauce-1-9l",)),
    Case("en", "rice", absent=frozenset({"salami"})),  # not `ricetta` in its Italian text
    Case("en", "tea", absent=frozenset({"dried-mustard-greens"})),  # not `steamed`
    Case("en", "oil", absent=frozenset({"rice-fish-rice-5kg"})),  # not `soil`
    # Italian
    Case("it", "funghi", first=("dried-shiitake", "black-fungus"), top=MUSHROOMS, only=True),
    Case("it", "fungo", top=MUSHROOMS),
    Case("it", "funghi secchi", first=("dried-shiitake", "black-fungus"), top=MUSHROOMS),
    Case("it", "tè verde", top=TEAS),
    Case("it", "vermicalli", first=("qingtian-rice-noodles",)),
    # Spanish
    Case("es", "setas", first=("dried-shiitake",), top=MUSHROOMS, only=True),
    Case("es", "jamón", first=("iberian-ham-sliced",)),
    Case("es", "jamin", first=("iberian-ham-sliced",)),
    # Portuguese
    Case("pt", "cogumelos", first=("dried-shiitake",), top=MUSHROOMS, only=True),
    Case("pt", "cogumelo", top=MUSHROOMS, only=True),
    Case("pt", "azeite", first=("camellia-oil-1l",), found=frozenset({"tea-oil-gift-box"})),
    Case("pt", "presunyo", first=("iberian-ham-sliced",)),
    # French
    Case("fr", "champignons", top=MUSHROOMS, only=True),
    Case("fr", "champignon", top=MUSHROOMS, only=True),
    Case("fr", "confiture", first=("bayberry-jam",)),
    Case("fr", "confiturr", first=("bayberry-jam",)),
    Case("fr", "de", only=True),  # a function word is not indexed in French texts
    Case("fr", "thé", top=TEAS | {TEA_GIFT}, only=True),  # not the English `the`
    # Italian `tè`: the texts about tea, not the Dutch `te`
    Case(
        "it",
        "tè",
        top=TEAS | {TEA_GIFT},
        absent=frozenset({"bayberry-jam", "soy-sauce-1-9l", "dried-bayberry"}),
    ),
    # three letters match the start of longer words in the buyer's language only
    Case("pt", "chá", top=TEAS | {TEA_GIFT}, absent=MUSHROOMS),
    # German
    Case("de", "Pilze", first=("black-fungus",), top=MUSHROOMS, only=True),
    Case("de", "Bambus", first=("dried-bamboo-shoots",)),  # the start of Bambussprossen
    # The end of Bergtee and Grüntee, above `Tee` as a word in `Geschenkbox Tee und Kamelienöl`
    Case("de", "Tee", top=TEAS, found=frozenset({TEA_GIFT})),
    # Ties in catalogue order (category, then product): the rice noodles before carp and wine
    Case(
        "de",
        "Reis",
        top=frozenset({"rice-fish-rice-5kg", "restaurant-rice-10kg", "restaurant-rice-25kg"}),
        above=(
            ("qingtian-rice-noodles", "dried-field-carp"),
            ("qingtian-rice-noodles", "lishui-yellow-wine"),
        ),
    ),
    Case("de", "Bambusprossen", first=("dried-bamboo-shoots",)),
    # Dutch
    Case("nl", "paddenstoelen", top=MUSHROOMS, only=True),
    Case("nl", "thee", top=TEAS | {"tea-oil-gift-box"}),
    Case("nl", "bamboesheuten", first=("dried-bamboo-shoots",)),
]


async def slugs(session, query: str, locale: str) -> list[str]:
    return [hit.product.slug for hit in await search_products(session, query=query, locale=locale)]


@pytest.mark.parametrize("case", CASES, ids=str)
async def test_search_quality(session, seeded, case: Case):
    found = await slugs(session, case.query, case.locale)
    assert found[: len(case.first)] == list(case.first), found
    if case.top:
        assert set(found[: len(case.top)]) == case.top, found
    assert case.found <= set(found), found
    assert not case.absent & set(found), found
    if case.only:
        assert set(found) == set(case.first) | case.top, found
    for higher, lower in case.above:
        assert higher in found, found
        if lower in found:
            assert found.index(higher) < found.index(lower), found


@pytest.mark.parametrize(
    ("locale", "typo", "exact"),
    [
        ("en", "shitake", "shiitake"),
        ("en", "banboo", "bamboo"),
        ("it", "vermicalli", "vermicelli"),
        ("es", "jamin", "jamón"),
        ("fr", "confiturr", "confiture"),
        ("zh_Hans", "xiangu", "xianggu"),
    ],
)
async def test_a_typo_ranks_below_the_exact_word(session, seeded, locale, typo, exact):
    exact_hits = await search_products(session, query=exact, locale=locale)
    typo_hits = await search_products(session, query=typo, locale=locale)
    scores = {hit.product.slug: hit.score for hit in typo_hits}
    best = exact_hits[0]
    assert best.product.slug in scores
    assert scores[best.product.slug] < best.score


async def test_a_typo_in_one_word_of_several(session, seeded):
    """The other words still match exactly, and rank the right product first."""
    found = await slugs(session, "dried shitake restaurant", "en")
    assert found == ["shiitake-restaurant-1kg"]


async def test_short_words_are_not_corrected(session, seeded):
    """Under five letters a word is taken as typed: `tex` is no `tea`, `vinp` no `vino`."""
    assert await slugs(session, "tex", "en") == []
    assert await slugs(session, "vinp", "it") == []


async def test_own_language_name_first(session, seeded):
    """`Salame` is the Italian name; the Italian buyer sees it ranked by his own name."""
    italian = await search_products(session, query="salame", locale="it")
    english = await search_products(session, query="salame", locale="en")
    assert italian[0].product.slug == english[0].product.slug == "salami"
    assert italian[0].score > english[0].score


def test_tokens_split_chinese_numbers_and_units():
    assert tokens("筍乾") == ["笋干"]
    assert tokens("慶元香菇 250克") == ["庆元", "香菇", "250", "克"]
    assert tokens("25kg") == ["25", "kg"]
    assert tokens("1,9 L") == ["1.9", "l"]
    assert tokens("%") == ["%"]
    assert tokens("12% vol") == ["12", "vol"]
    assert tokens("?!") == []


# The index follows the catalogue. Each search opens its own session, as each update does: a
# session that already read keeps its snapshot of an SQLite database.


async def find(session_factory, query: str, locale: str = "en") -> list[str]:
    async with session_factory() as session:
        return await slugs(session, query, locale)


async def test_index_follows_changes_made_by_another_process(session_factory, seeded):
    """Another worker adds, renames and withdraws a product: the next search here sees it."""
    assert await find(session_factory, "xylophone") == []
    async with session_factory() as other:
        category = (await other.exec(select(Category))).first()
        assert category is not None
        product = Product(
            slug="xylophone",
            category_id=category.id or 0,
            names={"en": "Xylophone of Qingtian stone", "zh_Hans": "青田石木琴"},
            descriptions={},
            price_cny=1000,
            unit="piece",
            unit_weight_g=900,
        )
        refresh_search_fields(product)
        other.add(product)
        await other.commit()
    assert await find(session_factory, "xylophone") == ["xylophone"]
    assert await find(session_factory, "muqin", "zh_Hans") == ["xylophone"]

    async with session_factory() as other:
        product = (await other.exec(select(Product).where(Product.slug == "xylophone"))).one()
        product.names = {**product.names, "en": "Marimba of Qingtian stone"}
        refresh_search_fields(product)
        other.add(product)
        await other.commit()
    assert await find(session_factory, "xylophone") == []
    assert await find(session_factory, "marimba") == ["xylophone"]

    async with session_factory() as other:
        product = (await other.exec(select(Product).where(Product.slug == "xylophone"))).one()
        product.is_active = False
        other.add(product)
        await other.commit()
    assert await find(session_factory, "marimba") == []


async def test_an_edit_of_the_same_length_is_seen_when_the_index_expires(
    session_factory, seeded, monkeypatch
):
    """`Salami` → `Zzyzxx` changes no count and no length: the index catches up after
    MAX_INDEX_AGE_SECONDS (the clock is moved, not waited for)."""
    assert await find(session_factory, "zzyzxx") == []
    async with session_factory() as other:
        product = (await other.exec(select(Product).where(Product.slug == "salami"))).one()
        product.names = {**product.names, "en": product.names["en"].replace("Salami", "Zzyzxx")}
        other.add(product)
        await other.commit()
    now = search._now()
    assert await find(session_factory, "zzyzxx") == []  # not yet
    monkeypatch.setattr(search, "_now", lambda: now + search.MAX_INDEX_AGE_SECONDS + 1)
    try:
        assert await find(session_factory, "zzyzxx") == ["salami"]
    finally:
        search.reset()  # no index built "in the future" outlives the moved clock


async def test_a_search_costs_no_statement_once_the_index_and_catalogue_are_read(
    engine, session_factory, seeded, monkeypatch
):
    """Searching reads the index and the products on sale from memory; after another worker's
    change (the catalogue's cache version moved on) the catalogue's fingerprint is read again:
    small queries, no scan of the products' texts in SQL, no rebuild while nothing changed."""
    from sqlalchemy import text

    from services import cache

    now = {"t": 0.0}
    monkeypatch.setattr(cache, "_monotonic", lambda: now["t"])
    async with session_factory() as session:
        first = await search.current_index(session)
        assert (await slugs(session, "funghi", "it"))[:1] == ["dried-shiitake"]
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:  # noqa: ANN001
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        async with session_factory() as session:
            assert (await slugs(session, "funghi", "it"))[:1] == ["dried-shiitake"]
            assert await search.current_index(session) is first
        assert statements == []
        async with engine.begin() as conn:  # another worker changed something in the catalogue
            await conn.execute(
                text("UPDATE cache_versions SET version = version + 1 WHERE name = 'catalog'")
            )
        statements.clear()
        now["t"] += cache.CHECK_SECONDS
        async with session_factory() as session:
            assert (await slugs(session, "funghi", "it"))[:1] == ["dried-shiitake"]
            assert await search.current_index(session) is first  # same fingerprint: no rebuild
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    assert len(statements) == 3, statements  # the versions, the fingerprint, the products
    assert "cache_versions" in statements[0]
    assert "count(" in statements[1].lower()
    assert "like" not in " ".join(statements).lower()


def test_stemming_is_safe_from_several_threads():
    """The index is built in a worker thread while queries are stemmed on the event loop: each
    thread stems as if alone."""
    words = [
        f"{base}{suffix}"
        for base in ("cogumel", "champignon", "fung", "bergte", "lavor")
        for suffix in ("", "os", "es", "i", "ungen", "azione", "mente", "s")
    ] * 40
    expected = {
        (locale, word): snowballstemmer.stemmer(algorithm).stemWord(word)
        for locale, algorithm in search_text.STEMMERS.items()
        for word in words
    }
    errors: list[BaseException] = []
    wrong: list[tuple[str, str, str]] = []
    start = threading.Barrier(8)

    def work() -> None:
        try:
            start.wait()
            for _ in range(3):
                for locale, algorithm in search_text.STEMMERS.items():
                    stemmer = search_text._stemmer(algorithm)
                    for word in words:
                        got = stemmer.stemWord(word)
                        if got != expected[(locale, word)]:
                            wrong.append((locale, word, got))
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert not wrong[:5]
    search_text.stem.cache_clear()
    assert all(search_text.stem(locale, word) == stem for (locale, word), stem in expected.items())


def test_a_synonym_key_of_several_words_is_refused():
    with pytest.raises(ValueError, match="one word"):
        SearchIndex([], {"en": {"green tea": ("matcha",)}})


async def test_concurrent_searches_after_a_change_build_the_index_once(
    session_factory, seeded, monkeypatch
):
    """Two dozen searches arrive together after the catalogue changed: one build, and all of
    them see the change."""
    assert await find(session_factory, "salami") == ["salami"]
    async with session_factory() as other:
        product = (await other.exec(select(Product).where(Product.slug == "salami"))).one()
        product.names = {**product.names, "en": "Xylophone salami, extra long"}
        refresh_search_fields(product)
        other.add(product)
        await other.commit()
    builds: list[int] = []

    def counting(*args, **kwargs) -> SearchIndex:  # noqa: ANN002, ANN003
        builds.append(1)
        return SearchIndex(*args, **kwargs)

    monkeypatch.setattr(search, "SearchIndex", counting)
    results = await asyncio.gather(*(find(session_factory, "xylophone") for _ in range(24)))
    assert results == [["salami"]] * 24
    assert len(builds) == 1


async def test_reset_forgets_the_indexes(session_factory, seeded):
    async with session_factory() as session:
        first = await search.current_index(session)
        assert await search.current_index(session) is first
        search.reset()
        assert await search.current_index(session) is not first


async def test_another_engine_at_the_same_url_builds_its_own_index(engine, seeded):
    """A new database at the same address (PostgreSQL between tests) may have the same version:
    it still gets an index of its own."""
    async with create_session_factory(engine)() as session:
        first = await search.current_index(session)
    other = create_engine(engine.url.render_as_string(hide_password=False))
    try:
        async with create_session_factory(other)() as session:
            assert await search.current_index(session) is not first
    finally:
        await other.dispose()
