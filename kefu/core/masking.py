"""SEC-3 masking: the one set of functions used by templates, API schemas and logging.

The ``mask_*`` functions take one known number (any value; None gives ""). ``mask_text``
finds card, resident ID and mobile patterns in free text (log lines, notes, audit values)
and masks each; when in doubt it masks more rather than less.
"""

from __future__ import annotations

import re

MASK = "*"


def _compact(value: object) -> str:
    return "".join(str(value).split()).replace("-", "")


def mask_card(number: object) -> str:
    """Card number: first 6 and last 4 visible (628888******0013)."""
    if number is None or number == "":
        return ""
    n = _compact(number)
    if len(n) < 12:
        return MASK * max(len(n) - 4, 0) + n[-4:]
    return n[:6] + MASK * (len(n) - 10) + n[-4:]


def _strip_country_code(n: str) -> str:
    if n.startswith("+86"):
        return n[3:]
    if n.startswith("0086"):
        return n[4:]
    if len(n) == 13 and n.startswith("86"):
        return n[2:]
    return n


def mask_mobile(number: object) -> str:
    """Mobile: first 3 and last 4 visible (139****0001); other phones: last 4 only."""
    if number is None or number == "":
        return ""
    n = _strip_country_code(_compact(number))
    if len(n) == 11 and n[0] in "1１":
        return n[:3] + MASK * 4 + n[-4:]
    return MASK * max(len(n) - 4, 0) + n[-4:]


def mask_id_number(number: object) -> str:
    """Identity document: an 18-character resident ID keeps the first 4 and last 4 (the birth
    date is hidden); other documents keep the first and the last 3 characters, and short
    ones only the last 2."""
    if number is None or number == "":
        return ""
    n = _compact(number)
    if len(n) == 18:
        return n[:4] + MASK * 10 + n[-4:]
    if len(n) <= 4:
        return MASK * len(n)
    if len(n) < 8:
        # first 1 + last 3 of a 5- to 7-character number would leave it readable
        return MASK * (len(n) - 2) + n[-2:]
    return n[:1] + MASK * (len(n) - 4) + n[-3:]


def mask_account(number: object) -> str:
    """Bank, debit and fund account numbers: first 4 and last 4 visible."""
    if number is None or number == "":
        return ""
    n = _compact(number)
    if len(n) <= 8:
        return MASK * max(len(n) - 4, 0) + n[-4:]
    return n[:4] + MASK * (len(n) - 8) + n[-4:]


def mask_name(name: object) -> str:
    """Customer name in logs and unauthenticated pages: family name only (张*, 欧阳**)."""
    if name is None or name == "":
        return ""
    name = str(name)
    return name[0] + MASK * (len(name) - 1)


# Patterns for free text. ``\d`` is deliberately Unicode-aware here, and the literal digits
# and letters have full-width twins, so numbers typed with a Chinese input method are masked
# as well. Resident IDs are replaced first (an 18-digit ID would otherwise be taken for a
# card), then mobiles (a +86 prefix would otherwise be taken for the start of a card), then
# cards. Separators inside a number are single spaces or dashes.
_RESIDENT_ID = re.compile(
    r"""
    (?<!\d)
    (?: \d{17}                            # 110105197803150315
      | \d{6} [ -] \d{8} [ -] \d{3}         # 110105 19780315 0315
      | \d{6} [ -] \d{4} [ -] \d{4} [ -] \d{3}  # 110105 1978 0315 0315
    )
    [\dXxＸｘ]
    (?!\d)
    """,
    re.VERBOSE,
)
_MOBILE = re.compile(
    r"""
    (?<!\d)
    (?: (?:[+＋]|[0０]{2})? [8８][6６] [ -]? )?  # +86, 0086, 86
    [1１][3-9３-９]\d (?: [ -]? \d{4} ){2}      # 139 1111 0001
    (?!\d)
    """,
    re.VERBOSE,
)
# A card is 13-19 digits, in one run or in groups (4-4-4-4, 4-4-4-4-3, 4-6-5, 6-13). Dates
# (2026-11-25), amounts (3,256.18) and landlines (0755-12345678) do not fit; a grouped match
# of fewer than 13 digits is left as it is.
_CARD = re.compile(
    r"""
    (?<!\d)
    (?: \d{13,19}
      | \d{4,6} (?: [ -] \d{3,8} ){1,5}
      | \d{6} [ -] \d{13}
    )
    (?!\d)
    """,
    re.VERBOSE,
)


def _mask_card_match(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = sum(ch.isdigit() for ch in text)
    if digits < 13:
        return text
    return mask_card(text)


def mask_text(text: str) -> str:
    """Mask every card, resident ID and mobile number pattern that appears in free text."""
    if not text:
        return text
    text = str(text)
    text = _RESIDENT_ID.sub(lambda m: mask_id_number(m.group(0)), text)
    text = _MOBILE.sub(lambda m: mask_mobile(m.group(0)), text)
    text = _CARD.sub(_mask_card_match, text)
    return text
