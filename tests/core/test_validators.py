"""Resident ID (GB 11643), card number (Luhn) and mobile validators.

The expected check characters are computed here by independent reference implementations
(the iterative ISO 7064 MOD 11-2 and a doubling Luhn), not by the code under test.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import assume, given
from hypothesis import strategies as st

from kefu.core.validators import (
    RESIDENT_ID_PROVINCES,
    luhn_check_digit,
    luhn_checksum_ok,
    normalize_mobile,
    resident_id_birth_date,
    resident_id_check_char,
    validate_card_number,
    validate_mobile,
    validate_resident_id,
    validate_six_digit_password,
)

KNOWN_RESIDENT_IDS = [
    "110105197803150315",
    "440304198007220429",
    "530102199511300172",
    "320106199202291029",
    "110108200001010015",
    "11010519491231002X",  # the worked example of GB 11643-1999
]
KNOWN_CARDS = [
    "6288880000000013",
    "4111111111111111",
    "5555555555554444",
    "378282246310005",
    "6011111111111117",
    "6222021234567890128",
    "4222222222222",
]
ID_CHARS = "0123456789X"


# --- reference implementations -------------------------------------------------------------


def mod11_2_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2, pure-system recursive form."""
    p = 0
    for ch in first17:
        p = ((p + int(ch)) * 2) % 11
    c = (12 - p) % 11
    return "X" if c == 10 else str(c)


def luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d // 10 + d % 10
    return total % 10 == 0


def with_luhn_digit(partial: str) -> str:
    return next(partial + d for d in "0123456789" if luhn_ok(partial + d))


def code_of(excinfo) -> str:
    return excinfo.value.code


def message_of(excinfo) -> str:
    with translation.override("en"):
        return excinfo.value.messages[0]


# --- strategies ------------------------------------------------------------------------------

TODAY = dt.date.today()


@st.composite
def resident_ids(draw, max_birth: dt.date = TODAY) -> str:
    province = draw(st.sampled_from(sorted(RESIDENT_ID_PROVINCES)))
    rest_of_region = draw(st.from_regex(r"\A[0-9]{4}\Z"))
    birth = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=max_birth))
    sequence = draw(st.integers(min_value=0, max_value=999))
    first17 = f"{province}{rest_of_region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + mod11_2_check_char(first17)


@st.composite
def card_numbers(draw) -> str:
    length = draw(st.integers(min_value=13, max_value=19))
    first = draw(st.sampled_from("3456789"))
    middle = draw(st.from_regex(rf"\A[0-9]{{{length - 2}}}\Z"))
    return with_luhn_digit(first + middle)


mobiles = st.from_regex(r"\A1[3-9][0-9]{9}\Z")


# --- resident ID -----------------------------------------------------------------------------


@pytest.mark.parametrize("number", KNOWN_RESIDENT_IDS)
def test_it_accepts_known_resident_ids(number):
    assert validate_resident_id(number) == number


@given(number=resident_ids())
def test_it_accepts_every_generated_valid_resident_id(number):
    assert validate_resident_id(number) == number


@given(
    number=resident_ids(),
    position=st.integers(min_value=0, max_value=17),
    replacement=st.sampled_from(ID_CHARS),
)
def test_it_rejects_every_single_character_substitution(number, position, replacement):
    # given a valid ID with one character replaced by another digit or X
    assume(number[position] != replacement)
    changed = number[:position] + replacement + number[position + 1 :]

    # when / then: MOD 11-2 weights are all non-zero mod 11, so no substitution slips through
    with pytest.raises(ValidationError) as excinfo:
        validate_resident_id(changed)
    assert code_of(excinfo) in {"id_characters", "id_region", "id_birth_date", "id_checksum"}


@given(
    number=resident_ids(max_birth=dt.date(2010, 12, 31)),
    position=st.integers(min_value=14, max_value=16),
    replacement=st.sampled_from("0123456789"),
)
def test_a_changed_sequence_digit_is_caught_by_the_check_character(number, position, replacement):
    assume(number[position] != replacement)
    changed = number[:position] + replacement + number[position + 1 :]

    with pytest.raises(ValidationError) as excinfo:
        validate_resident_id(changed)

    assert code_of(excinfo) == "id_checksum"


def test_the_check_character_matches_the_reference_algorithm():
    for number in KNOWN_RESIDENT_IDS:
        assert resident_id_check_char(number[:17]) == number[17]
    with pytest.raises(ValueError):
        resident_id_check_char("1101051978031503")


def test_it_accepts_and_normalises_a_lower_case_x():
    assert validate_resident_id("11010519491231002x") == "11010519491231002X"


def test_it_accepts_spaces_and_full_width_input():
    assert validate_resident_id(" 110105 19780315 0315 ") == "110105197803150315"
    assert validate_resident_id("１１０１０５１９４９１２３１００２ｘ") == "11010519491231002X"


def test_it_reads_the_birth_date():
    assert resident_id_birth_date("110105197803150315") == dt.date(1978, 3, 15)


@pytest.mark.parametrize(
    ("birth", "shown"),
    [
        ("19780230", "19780230"),  # 30 February
        ("19781301", "19781301"),  # month 13
        ("19780400", "19780400"),  # day 0
        ("20230229", "20230229"),  # not a leap year
        ("19000229", "19000229"),  # 1900 was no leap year
    ],
)
def test_it_rejects_a_birth_date_that_does_not_exist(birth, shown):
    first17 = f"110105{birth}031"
    number = first17 + mod11_2_check_char(first17)

    with pytest.raises(ValidationError) as excinfo:
        validate_resident_id(number)

    assert code_of(excinfo) == "id_birth_date"
    assert message_of(excinfo) == (
        f"The birth date in this resident ID ({shown}) is not a real date: "
        "please check digits 7 to 14."
    )


def test_it_accepts_29_february_of_a_leap_year():
    assert validate_resident_id("320106199202291029") == "320106199202291029"


@pytest.mark.parametrize(
    ("birth", "today"),
    [
        (dt.date(2026, 11, 26), dt.date(2026, 11, 25)),  # tomorrow
        (dt.date(2030, 1, 1), dt.date(2026, 11, 25)),
        (dt.date(1899, 12, 31), dt.date(2026, 11, 25)),  # before 1900
    ],
)
def test_it_rejects_a_birth_date_in_the_future_or_before_1900(birth, today):
    first17 = f"110105{birth:%Y%m%d}031"
    number = first17 + mod11_2_check_char(first17)

    with pytest.raises(ValidationError) as excinfo:
        validate_resident_id(number, today=today)

    assert code_of(excinfo) == "id_birth_date"
    assert message_of(excinfo) == (
        f"The birth date in this resident ID ({birth.isoformat()}) is not possible: it must "
        "lie between 1900-01-01 and today. Please check digits 7 to 14."
    )


def test_a_birth_date_of_today_is_accepted():
    first17 = "110105202611250" + "31"
    number = first17 + mod11_2_check_char(first17)

    assert validate_resident_id(number, today=dt.date(2026, 11, 25)) == number


def test_a_future_birth_date_is_judged_by_the_local_date(time_machine):
    # 2026-11-25 20:00 UTC is already 26 November in Shanghai
    time_machine.move_to(dt.datetime(2026, 11, 25, 20, 0, tzinfo=dt.UTC))
    first17 = "110105202611260" + "31"
    number = first17 + mod11_2_check_char(first17)

    assert validate_resident_id(number) == number


@pytest.mark.parametrize(
    ("value", "count"),
    [("", 0), ("11010519780315031", 17), ("1101051978031503150", 19), ("1" * 25, 25)],
)
def test_it_rejects_a_wrong_length(value, count):
    with pytest.raises(ValidationError) as excinfo:
        validate_resident_id(value)

    assert code_of(excinfo) == "id_length"
    assert message_of(excinfo) == (
        f"A resident ID number has 18 characters; this one has {count}. "
        "Enter all 17 digits and the final digit or X."
    )


def test_it_explains_that_a_15_digit_first_generation_id_is_no_longer_valid():
    with pytest.raises(ValidationError) as excinfo:
        validate_resident_id("110105780315031")

    assert code_of(excinfo) == "id_length"
    assert "15-digit first-generation" in message_of(excinfo)


@pytest.mark.parametrize(
    "value",
    ["11010519780315031A", "X10105197803150315", "1101051978O3150315", "110105١٩٧٨03150315"],
)
def test_it_rejects_other_characters(value):
    with pytest.raises(ValidationError) as excinfo:
        validate_resident_id(value)

    assert code_of(excinfo) == "id_characters"
    assert message_of(excinfo) == (
        "A resident ID number is 17 digits followed by a digit or X; remove any other characters."
    )


@pytest.mark.parametrize("province", ["00", "10", "20", "39", "47", "66", "80", "90", "99"])
def test_it_rejects_a_region_that_is_no_province(province):
    first17 = f"{province}0105197803150" + "31"
    number = first17 + mod11_2_check_char(first17)

    with pytest.raises(ValidationError) as excinfo:
        validate_resident_id(number)

    assert code_of(excinfo) == "id_region"
    assert province in message_of(excinfo)


def test_it_rejects_a_wrong_check_character_with_its_own_message():
    with pytest.raises(ValidationError) as excinfo:
        validate_resident_id("110105197803150316")

    assert code_of(excinfo) == "id_checksum"
    assert message_of(excinfo) == (
        "The check character (last character) of this resident ID does not match the other "
        "digits: one of them is wrong, please check the number."
    )


def test_an_invalid_id_becomes_a_field_error_on_a_form():
    class IdForm(forms.Form):
        id_number = forms.CharField(validators=[validate_resident_id])

    with translation.override("en"):
        form = IdForm({"id_number": "110105197802300315"})

        assert not form.is_valid()
        assert form.errors["id_number"] == [
            "The birth date in this resident ID (19780230) is not a real date: "
            "please check digits 7 to 14."
        ]
        assert form.errors.as_data()["id_number"][0].code == "id_birth_date"


# --- card numbers (Luhn) ---------------------------------------------------------------------


@pytest.mark.parametrize("number", KNOWN_CARDS)
def test_it_accepts_known_luhn_valid_cards(number):
    assert luhn_checksum_ok(number) is True
    assert validate_card_number(number) == number


@given(number=card_numbers())
def test_it_accepts_every_generated_valid_card_of_13_to_19_digits(number):
    assert validate_card_number(number) == number
    assert luhn_check_digit(number[:-1]) == number[-1]


@given(
    number=card_numbers(),
    position=st.integers(min_value=0, max_value=18),
    digit=st.sampled_from("0123456789"),
)
def test_it_rejects_every_single_digit_change(number, position, digit):
    assume(position < len(number) and number[position] != digit)
    changed = number[:position] + digit + number[position + 1 :]

    with pytest.raises(ValidationError) as excinfo:
        validate_card_number(changed)

    assert code_of(excinfo) == "card_checksum"


@given(number=card_numbers(), position=st.integers(min_value=0, max_value=17))
def test_it_rejects_adjacent_transpositions_except_09(number, position):
    assume(position + 1 < len(number))
    a, b = number[position], number[position + 1]
    assume(a != b and {a, b} != {"0", "9"})
    swapped = number[:position] + b + a + number[position + 2 :]

    assert luhn_checksum_ok(swapped) is False


def test_a_09_transposition_is_the_one_luhn_cannot_see():
    # given a valid number with "09" inside; swapping it keeps the check sum
    number = with_luhn_digit("62888809000000")
    swapped = number.replace("09", "90", 1)

    assert luhn_checksum_ok(number) is True
    assert luhn_checksum_ok(swapped) is True


def test_it_accepts_spaces_and_dashes_between_groups():
    assert validate_card_number("6288 8800 0000 0013") == "6288880000000013"
    assert validate_card_number("6288-8800-0000-0013") == "6288880000000013"


@pytest.mark.parametrize(("value", "count"), [("", 0), ("628888000013", 12), ("6" * 20, 20)])
def test_it_rejects_a_card_of_the_wrong_length(value, count):
    with pytest.raises(ValidationError) as excinfo:
        validate_card_number(value)

    assert code_of(excinfo) == "card_length"
    assert message_of(excinfo) == f"A card number has 13 to 19 digits; this one has {count}."


@pytest.mark.parametrize(
    "value", ["6288a80000000013", "6288.8800.0000.0013", "6288_8800_0000_0013", "628888000000001٣"]
)
def test_it_rejects_a_card_with_other_characters(value):
    with pytest.raises(ValidationError) as excinfo:
        validate_card_number(value)

    assert code_of(excinfo) == "card_characters"
    assert message_of(excinfo) == (
        "A card number contains digits only (spaces or dashes between groups are fine); "
        "remove the other characters."
    )


def test_it_rejects_a_card_that_fails_the_check_digit():
    with pytest.raises(ValidationError) as excinfo:
        validate_card_number("6288880000000014")

    assert code_of(excinfo) == "card_checksum"
    assert message_of(excinfo) == (
        "This card number fails its check digit, so one of its digits is wrong: "
        "please check the number on the card."
    )


def test_luhn_helpers_refuse_non_digits_instead_of_crashing():
    assert luhn_checksum_ok("") is False
    assert luhn_checksum_ok("628888000000001٣") is False
    with pytest.raises(ValueError):
        luhn_check_digit("62888a")


# --- mobiles ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "13911110001",
        "+8613911110001",
        "+86 139 1111 0001",
        "0086 139-1111-0001",
        "008613911110001",
        "86 13911110001",
        "139-1111-0001",
        " 139 1111 0001 ",
        "１３９１１１１０００１",
    ],
)
def test_it_normalises_mobile_formats(value):
    assert normalize_mobile(value) == "13911110001"
    assert validate_mobile(value) == "13911110001"


@given(
    number=mobiles,
    prefix=st.sampled_from(["", "+86", "+86 ", "0086", "0086-", "86"]),
    separator=st.sampled_from(["", " ", "-"]),
)
def test_every_formatting_of_a_valid_mobile_normalises_to_its_digits(number, prefix, separator):
    formatted = prefix + number[:3] + separator + number[3:7] + separator + number[7:]

    assert validate_mobile(formatted) == number


@pytest.mark.parametrize(
    "value",
    [
        "12911110001",  # 12x is no mobile range
        "10011110001",
        "23911110001",
        "139111100011",  # 12 digits
        "1391111000",  # 10 digits
        "+85213911110001",  # another country code
        "1391111000a",
        "",
    ],
)
def test_it_rejects_a_wrong_mobile(value):
    with pytest.raises(ValidationError) as excinfo:
        validate_mobile(value)

    assert code_of(excinfo) == "mobile_format"
    assert message_of(excinfo) == (
        "A mainland mobile number has 11 digits and starts with 13 to 19 (a +86 prefix, "
        "spaces and dashes are allowed); please check the number."
    )


# --- six-digit card passwords ----------------------------------------------------------------


def test_it_accepts_a_six_digit_password():
    assert validate_six_digit_password("204816") == "204816"


@pytest.mark.parametrize("value", ["12345", "1234567", "12345a", "１２３４５６", "12345\n"])
def test_it_rejects_other_passwords(value):
    with pytest.raises(ValidationError) as excinfo:
        validate_six_digit_password(value)

    assert code_of(excinfo) == "password_format"
