"""SEC-3 masking: the one set of functions used by templates, API schemas and logging."""

from __future__ import annotations

import re

MASK = "*"


def _digits_only(value: str) -> str:
    return "".join(value.split()).replace("-", "")


def mask_card(number: str | None) -> str:
    """Card number: first 6 and last 4 visible (628888******0013)."""
    if not number:
        return ""
    n = _digits_only(number)
    if len(n) < 12:
        return MASK * max(len(n) - 4, 0) + n[-4:]
    return n[:6] + MASK * (len(n) - 10) + n[-4:]


def mask_mobile(number: str | None) -> str:
    """Mobile: first 3 and last 4 visible (139****0001); other phones: last 4 only."""
    if not number:
        return ""
    n = _digits_only(number)
    if n.startswith("+86"):
        n = n[3:]
    if len(n) == 11:
        return n[:3] + MASK * 4 + n[-4:]
    return MASK * max(len(n) - 4, 0) + n[-4:]


def mask_id_number(number: str | None) -> str:
    """Identity document: 18-digit resident ID keeps first 4 and last 4 (the birth date is
    hidden); other documents keep the first and the last 3 characters."""
    if not number:
        return ""
    n = _digits_only(number)
    if len(n) == 18:
        return n[:4] + MASK * 10 + n[-4:]
    if len(n) <= 4:
        return MASK * len(n)
    return n[:1] + MASK * (len(n) - 4) + n[-3:]


def mask_account(number: str | None) -> str:
    """Bank, debit and fund account numbers: first 4 and last 4 visible."""
    if not number:
        return ""
    n = _digits_only(number)
    if len(n) <= 8:
        return MASK * max(len(n) - 4, 0) + n[-4:]
    return n[:4] + MASK * (len(n) - 8) + n[-4:]


def mask_name(name: str | None) -> str:
    """Customer name in logs and unauthenticated pages: family name only (张*, 欧阳**)."""
    if not name:
        return ""
    return name[0] + MASK * (len(name) - 1)


# Patterns for free text (log lines, notes). Order matters: longest numbers first, so an
# 18-digit resident ID is not first taken for a mobile number inside it.
_RESIDENT_ID = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}\d{2}\d{2}\d{3}[0-9Xx](?![0-9A-Za-z])"
)
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)")


def mask_text(text: str) -> str:
    """Mask every card, resident ID and mobile number pattern that appears in free text."""
    if not text:
        return text
    text = _RESIDENT_ID.sub(lambda m: mask_id_number(m.group(0)), text)
    text = _CARD.sub(lambda m: mask_card(m.group(0)), text)
    text = _MOBILE.sub(lambda m: mask_mobile(m.group(0)), text)
    return text
