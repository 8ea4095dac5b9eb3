"""The rules of group orders, without Telegram: tiers, amounts, progress, and admin input."""

from datetime import UTC, datetime, timedelta

import pytest

from domain.group_spec import (
    SpecError,
    parse_amount,
    parse_deadline,
    parse_offer,
    parse_one_line,
    parse_price,
    parse_tiers,
)
from domain.money import convert, parse_rate
from domain.pricing import (
    TierError,
    contribution,
    line_amount,
    next_tier,
    progress_bar,
    tier_index,
    validate_tiers,
)

pytestmark = pytest.mark.clock


TIERS = [0, 100_000, 300_000]  # grams: 1–99 kg, 100–299 kg, 300+ kg
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("total", "tier"),
    [(0, 0), (99_999, 0), (100_000, 1), (299_999, 1), (300_000, 2), (10**9, 2)],
)
def test_tier_selection_at_the_boundaries(total, tier):
    found = tier_index(TIERS, total)
    assert found == tier


def test_next_tier_says_what_is_missing():
    missing = next_tier(TIERS, 88_000)
    top = next_tier(TIERS, 300_000)
    assert missing is not None and (missing.index, missing.missing) == (1, 12_000)
    assert top is None


def test_amounts_are_integers_in_minor_units():
    assert line_amount(1600, 7) == 11_200
    assert contribution(3, 5000, "weight") == 15_000
    assert contribution(3, 5000, "units") == 3


def test_final_amount_in_buyers_currency_rounds_half_up():
    # 7 bags at ¥16.05 = ¥112.35; at 0.128 EUR/CNY = 14.3808 EUR -> 14.38
    cents = convert(line_amount(1605, 7), parse_rate("0.128"), "EUR")
    assert cents == 1438


def test_progress_bar():
    assert progress_bar(126, 200) == "▓▓▓▓▓▓░░░░"
    assert progress_bar(0, 200) == "░" * 10
    assert progress_bar(500, 200) == "▓" * 10


@pytest.mark.parametrize(
    ("thresholds", "prices"),
    [
        ([100, 200], [[10, 9]]),  # does not start at 0
        ([0, 200, 100], [[10, 9, 8]]),  # not rising
        ([0, 100], [[10]]),  # a price missing
        ([0, 100], [[10, 12]]),  # a higher tier costs more
        ([0, 100], [[10, 0]]),  # free
    ],
)
def test_invalid_tiers_are_refused(thresholds, prices):
    with pytest.raises(TierError):
        validate_tiers(thresholds, prices)


def test_amount_parsing():
    assert parse_amount("200kg") == ("weight", 200_000)
    assert parse_amount("12.5 kg") == ("weight", 12_500)
    assert parse_amount("50") == ("units", 50)
    assert parse_amount("100", "weight") == ("weight", 100_000)
    for bad in ("-5", "abc", "0", "1.5"):
        with pytest.raises(SpecError):
            parse_amount(bad)


def test_tiers_and_offers_parsing():
    assert parse_tiers("0,100,300", "weight") == TIERS
    assert parse_tiers("100, 300", "weight") == TIERS
    assert parse_tiers("-", "weight") == [0]
    assert parse_offer("rice-fish-rice-5kg 98,90,85", 3) == (
        "rice-fish-rice-5kg",
        [9800, 9000, 8500],
    )
    assert parse_offer("tea:120", 3) == ("tea", [12000] * 3)
    assert parse_price("98,50") == 9850
    with pytest.raises(SpecError):
        parse_offer("rice 98,90", 3)
    with pytest.raises(SpecError):
        parse_price("9.999")


def test_deadline_in_the_admins_time_zone():
    deadline = parse_deadline("2026-12-20 12:00", timezone="Europe/Rome", now=NOW)
    relative = parse_deadline("+3d", timezone="Europe/Rome", now=NOW)
    assert deadline == datetime(2026, 12, 20, 11, 0, tzinfo=UTC)
    assert relative == NOW + timedelta(days=3)
    for bad in ("2020-01-01 10:00", "tomorrow", "+9999d"):
        with pytest.raises(SpecError):
            parse_deadline(bad, timezone="Europe/Rome", now=NOW)


def test_one_line_form():
    draft = parse_one_line(
        'country=IT city=Milano method=rail deadline="2026-12-20 12:00" min=200kg cap=500kg '
        'tiers=0,100,300 offer=rice-fish-rice-5kg:98,90,85 pickup="Ristorante <Roma>"',
        locale="it",
        timezone="Europe/Rome",
        now=NOW,
    )
    assert (draft.country, draft.city, draft.method) == ("IT", "Milan", "rail")
    assert (draft.measure, draft.min_total, draft.capacity) == ("weight", 200_000, 500_000)
    assert draft.tiers == TIERS and draft.offers == [("rice-fish-rice-5kg", [9800, 9000, 8500])]
    assert draft.pickup_point == "Ristorante <Roma>"
    with pytest.raises(SpecError) as missing:
        parse_one_line("country=IT city=Milan", locale="en", timezone="UTC", now=NOW)
    assert missing.value.code == "missing"
