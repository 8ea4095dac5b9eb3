"""IBANs as admins type them for a group's bank transfers: printed forms accepted, typos refused
with the reason (domain.iban)."""

import pytest

from domain.iban import (
    IbanError,
    IbanProblem,
    checksum_ok,
    format_iban,
    mask_iban,
    parse_iban,
)


@pytest.mark.parametrize(
    ("typed", "compact", "printed"),
    [
        ("DE89 3704 0044 0532 0130 00", "DE89370400440532013000", "DE89 3704 0044 0532 0130 00"),
        ("GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432", "GB82 WEST 1234 5698 7654 32"),
        (
            "IT60 X054 2811 1010 0000 0123 456",
            "IT60X0542811101000000123456",
            "IT60 X054 2811 1010 0000 0123 456",
        ),
        # Norway's are the shortest, Malta's the longest in the table
        ("NO93 8601 1117 947", "NO9386011117947", "NO93 8601 1117 947"),
        (
            "MT84 MALT 0110 0001 2345 MTLC AST0 01S",
            "MT84MALT011000012345MTLCAST001S",
            "MT84 MALT 0110 0001 2345 MTLC AST0 01S",
        ),
    ],
)
def test_real_ibans_are_accepted_and_printed_in_groups_of_four(typed, compact, printed):
    parsed = parse_iban(typed)
    assert parsed == compact
    assert format_iban(parsed) == printed
    assert format_iban(typed) == printed  # the printed form prints as itself


@pytest.mark.parametrize(
    "typed",
    [
        "de89370400440532013000",  # lower case, no spaces
        "  DE89\u00a03704 0044\t0532 0130 00 ",  # a no-break space and a tab from a copy
        "IBAN DE89 3704 0044 0532 0130 00",  # as a bank statement prints it
        "IBAN: DE89 3704 0044 0532 0130 00",
        "DE89-3704-0044-0532-0130-00",
    ],
)
def test_the_ways_people_write_an_iban_are_read(typed):
    assert parse_iban(typed) == "DE89370400440532013000"


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("DE89 3704 0044 0532 0130 01", IbanProblem.CHECKSUM),  # the last digit mistyped
        ("DE98 3704 0044 0532 0130 00", IbanProblem.CHECKSUM),  # the check digits swapped
        ("GB82 WEST 1234 5698 7654 23", IbanProblem.CHECKSUM),  # two digits swapped
        ("IT60 X054 2811 1010 0000 0123 457", IbanProblem.CHECKSUM),
        ("DE89 3704 0044 0532 0130 0", IbanProblem.COUNTRY_LENGTH),  # a digit left out
        ("IT60 X054 2811 1010 0000 0123 4567", IbanProblem.COUNTRY_LENGTH),
        ("DE89 3704", IbanProblem.LENGTH),
        ("DE89 3704 0044 0532 0130 0000 0000 0000 0000", IbanProblem.LENGTH),  # 38 characters
        ("1289 3704 0044 0532 0130 00", IbanProblem.SHAPE),  # no country
        ("DEXX 3704 0044 0532 0130 00", IbanProblem.SHAPE),  # no check digits
        ("DE89 3704 0044 0532 0130 0Ä", IbanProblem.CHARACTERS),
        ("DE89.3704.0044.0532.0130.00", IbanProblem.CHARACTERS),
        ("", IbanProblem.LENGTH),
    ],
)
def test_broken_ibans_are_refused_with_the_reason(typed, problem):
    with pytest.raises(IbanError) as caught:
        parse_iban(typed)
    assert caught.value.problem == problem
    assert caught.value.value == typed


def test_a_wrong_length_names_the_countrys_length():
    with pytest.raises(IbanError) as caught:
        parse_iban("DE89 3704 0044 0532 0130 0")
    error = caught.value
    assert (error.country, error.length, error.expected) == ("DE", 21, 22)


def test_a_country_outside_the_table_gets_the_general_rules():
    # Saudi Arabia (24 characters) is not in the table: the length range and check digits apply
    assert parse_iban("SA03 8000 0000 6080 1016 7519") == "SA0380000000608010167519"
    with pytest.raises(IbanError) as caught:
        parse_iban("SA03 8000 0000 6080 1016 7518")
    assert caught.value.problem == IbanProblem.CHECKSUM


def test_the_check_is_mod_97_over_the_rearranged_number():
    assert checksum_ok("GB82WEST12345698765432")
    assert not checksum_ok("GB00WEST12345698765432")


def test_a_button_shows_enough_to_recognise_the_account():
    assert mask_iban("DE89370400440532013000") == "DE89 … 3000"
