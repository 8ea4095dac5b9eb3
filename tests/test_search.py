"""The search rules, on the demo catalogue."""

import pytest

from services.search import MAX_QUERY_LENGTH, QueryTooLong, search_products, tokens


async def slugs(session, query, locale="en"):
    hits = await search_products(session, query=query, locale=locale)
    return [hit.product.slug for hit in hits]


async def test_chinese_substring(session, seeded):
    found = await slugs(session, "香菇", "zh_Hans")
    assert found[:2] == ["dried-shiitake", "shiitake-restaurant-1kg"] or set(found[:2]) == {
        "dried-shiitake",
        "shiitake-restaurant-1kg",
    }
    assert "qingtian-green-tea" not in found


async def test_traditional_chinese_finds_the_same_product(session, seeded):
    found = await slugs(session, "筍乾", "zh_Hant")
    assert found[:1] == ["dried-bamboo-shoots"]


async def test_italian_accent_and_case_insensitive(session, seeded):
    accented = await slugs(session, "Tè Verde", "it")
    plain = await slugs(session, "te verde", "it")
    assert accented == plain
    assert "qingtian-green-tea" in plain
    assert "dried-shiitake" not in plain


async def test_every_word_must_match_when_possible(session, seeded):
    found = await slugs(session, "shiitake restaurant", "en")
    assert found == ["shiitake-restaurant-1kg"]


async def test_name_ranks_above_description(session, seeded):
    found = await slugs(session, "bamboo", "en")
    assert found[0] == "dried-bamboo-shoots"


async def test_match_in_another_language(session, seeded):
    """An Italian user typing German still finds it: every locale is searched."""
    found = await slugs(session, "Bambussprossen", "it")
    assert found[:1] == ["dried-bamboo-shoots"]


async def test_nothing_found(session, seeded):
    found = await slugs(session, "xylophone", "en")
    assert found == []


async def test_like_wildcards_are_literal(session, seeded):
    """`%` finds only texts with a percent sign (the wines' alcohol), not everything."""
    hits = await search_products(session, query="%", locale="en")
    underscore = await slugs(session, "_", "en")
    assert 0 < len(hits) < 5
    assert all("%" in hit.product.search_text for hit in hits)
    assert underscore == []


async def test_too_long_query_is_refused(session, seeded):
    with pytest.raises(QueryTooLong):
        await search_products(session, query="a" * (MAX_QUERY_LENGTH + 1), locale="en")


def test_tokens_fold_and_strip_punctuation():
    words = tokens("  Tè, VERDE! tè ")
    assert words == ["te", "verde"]
