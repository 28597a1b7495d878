"""Validators for Chinese resident IDs (GB 11643), bank card numbers (Luhn) and mobiles.

Each ``validate_*`` raises django's ValidationError with a code and a message that says
what is wrong and what is expected, and returns the canonical form; ``normalize_*`` returns
the canonical form without checking it.

Input typed with a Chinese input method often arrives in full-width form (１３９…, Ｘ): the
normalisers fold it to ASCII (NFKC) first, and the checks then accept ASCII digits only, so
a stored number is always plain ASCII.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_ID_RE = re.compile(r"[0-9]{17}[0-9X]")
_DIGITS_RE = re.compile(r"[0-9]+")
_MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")
_SIX_DIGITS_RE = re.compile(r"[0-9]{6}")

# First two digits of the address code (GB/T 2260): the provinces, autonomous regions and
# municipalities, 71/81/82 for Taiwan, Hong Kong and Macau, 83 for the residence permits of
# Taiwan residents, and 9 + the first digit of the issuing province for the 2023 foreign
# permanent resident ID card.
RESIDENT_ID_PROVINCES = frozenset(
    {
        "11", "12", "13", "14", "15",
        "21", "22", "23",
        "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46",
        "50", "51", "52", "53", "54",
        "61", "62", "63", "64", "65",
        "71", "81", "82", "83",
        "91", "92", "93", "94", "95", "96",
    }
)  # fmt: skip


def _fold(value: object) -> str:
    """Full-width digits and letters to ASCII; whitespace and dashes removed."""
    text = unicodedata.normalize("NFKC", str(value))
    return "".join(text.split()).replace("-", "")


def resident_id_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits of a resident ID."""
    if not (len(first17) == 17 and _DIGITS_RE.fullmatch(first17)):
        raise ValueError("need exactly 17 ASCII digits")
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def normalize_resident_id(value: str) -> str:
    return _fold(value).upper()


def resident_id_birth_date(value: str) -> dt.date:
    """The birth date in a resident ID; ValueError if those 8 digits are no real date."""
    n = normalize_resident_id(value)
    digits = n[6:14]
    if not (len(digits) == 8 and _DIGITS_RE.fullmatch(digits)):
        raise ValueError("a resident ID has 8 birth-date digits at positions 7 to 14")
    return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))


def validate_resident_id(value: str, *, today: dt.date | None = None) -> str:
    """Check an 18-character resident ID: characters, region, birth date, check character.

    Returns the canonical form (ASCII, upper-case X). ``today`` defaults to the local date.
    """
    n = normalize_resident_id(value)
    if len(n) != 18:
        if len(n) == 15 and _DIGITS_RE.fullmatch(n):
            raise ValidationError(
                _(
                    "This is a 15-digit first-generation ID number, which is no longer valid: "
                    "enter the 18-character number on the current ID card."
                ),
                code="id_length",
                params={"count": len(n)},
            )
        raise ValidationError(
            _(
                "A resident ID number has 18 characters; this one has %(count)d. "
                "Enter all 17 digits and the final digit or X."
            ),
            code="id_length",
            params={"count": len(n)},
        )
    if not _ID_RE.fullmatch(n):
        raise ValidationError(
            _(
                "A resident ID number is 17 digits followed by a digit or X; "
                "remove any other characters."
            ),
            code="id_characters",
        )
    if n[:2] not in RESIDENT_ID_PROVINCES:
        raise ValidationError(
            _(
                "The first two digits of this resident ID (%(code)s) are not a province code: "
                "please check the number."
            ),
            code="id_region",
            params={"code": n[:2]},
        )
    try:
        birth = resident_id_birth_date(n)
    except ValueError:
        raise ValidationError(
            _(
                "The birth date in this resident ID (%(digits)s) is not a real date: "
                "please check digits 7 to 14."
            ),
            code="id_birth_date",
            params={"digits": n[6:14]},
        ) from None
    today = today or timezone.localdate()
    if birth > today or birth.year < 1900:
        raise ValidationError(
            _(
                "The birth date in this resident ID (%(date)s) is not possible: it must lie "
                "between 1900-01-01 and today. Please check digits 7 to 14."
            ),
            code="id_birth_date",
            params={"date": birth.isoformat()},
        )
    if resident_id_check_char(n[:17]) != n[17]:
        raise ValidationError(
            _(
                "The check character (last character) of this resident ID does not match the "
                "other digits: one of them is wrong, please check the number."
            ),
            code="id_checksum",
        )
    return n


def luhn_checksum_ok(number: str) -> bool:
    """True if ``number`` is ASCII digits only and passes the Luhn (mod 10) check."""
    if not _DIGITS_RE.fullmatch(number or ""):
        return False
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def luhn_check_digit(partial: str) -> str:
    """The digit that makes ``partial + digit`` pass the Luhn check."""
    if not _DIGITS_RE.fullmatch(partial or ""):
        raise ValueError("need ASCII digits")
    for d in "0123456789":
        if luhn_checksum_ok(partial + d):
            return d
    raise AssertionError("unreachable")


def normalize_card_number(value: str) -> str:
    return _fold(value)


def validate_card_number(value: str) -> str:
    """Check a bank card number: 13 to 19 digits passing the Luhn check. Returns the digits."""
    n = normalize_card_number(value)
    if n and not _DIGITS_RE.fullmatch(n):
        raise ValidationError(
            _(
                "A card number contains digits only (spaces or dashes between groups are "
                "fine); remove the other characters."
            ),
            code="card_characters",
        )
    if not 13 <= len(n) <= 19:
        raise ValidationError(
            _("A card number has 13 to 19 digits; this one has %(count)d."),
            code="card_length",
            params={"count": len(n)},
        )
    if not luhn_checksum_ok(n):
        raise ValidationError(
            _(
                "This card number fails its check digit, so one of its digits is wrong: "
                "please check the number on the card."
            ),
            code="card_checksum",
        )
    return n


def normalize_mobile(value: str) -> str:
    """Digits of a mainland mobile number, without a +86 / 0086 / 86 country prefix."""
    n = _fold(value)
    if n.startswith("+86"):
        n = n[3:]
    elif n.startswith("0086"):
        n = n[4:]
    elif len(n) == 13 and n.startswith("86"):
        n = n[2:]
    return n


def validate_mobile(value: str) -> str:
    """Check a mainland mobile number (11 digits, 13x to 19x). Returns the 11 digits."""
    n = normalize_mobile(value)
    if not _MOBILE_RE.fullmatch(n):
        raise ValidationError(
            _(
                "A mainland mobile number has 11 digits and starts with 13 to 19 "
                "(a +86 prefix, spaces and dashes are allowed); please check the number."
            ),
            code="mobile_format",
        )
    return n


def validate_six_digit_password(value: str) -> str:
    if not _SIX_DIGITS_RE.fullmatch(str(value)):
        raise ValidationError(_("The password must be exactly 6 digits."), code="password_format")
    return value
