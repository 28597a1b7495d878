"""Checks of what a caller keyed in (``check:`` of an input node).

Each returns the normalised value, or None when the entry is not acceptable (the caller
hears the node's invalid prompt and tries again). ``secret`` entries (passwords) and
``sensitive`` ones (card, ID, account numbers) are never kept in the call's state and are
recorded masked.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from kefu.core.masking import mask_account, mask_card, mask_id_number, mask_mobile
from kefu.core.validators import luhn_checksum_ok


@dataclass(frozen=True)
class Check:
    name: str
    parse: Callable[[str], str | None]
    secret: bool = False
    sensitive: bool = False
    mask: Callable[[str], str] | None = None


def _digits(low: int, high: int) -> Callable[[str], str | None]:
    pattern = re.compile(rf"^[0-9]{{{low},{high}}}$")
    return lambda entry: entry if pattern.match(entry) else None


def _id_number(entry: str) -> str | None:
    # A resident ID ends in a digit or X; the caller presses * for X.
    if re.match(r"^[0-9]{17}[0-9*]$", entry):
        return entry[:17] + ("X" if entry[17] == "*" else entry[17])
    return None


def _id_last6(entry: str) -> str | None:
    if re.match(r"^[0-9]{5}[0-9*]$", entry):
        return entry[:5] + ("X" if entry[5] == "*" else entry[5])
    return None


def _card(entry: str) -> str | None:
    if re.match(r"^[0-9]{13,19}$", entry) and luhn_checksum_ok(entry):
        return entry
    return None


def _amount(entry: str) -> str | None:
    if re.match(r"^[1-9][0-9]{0,6}$", entry):
        return entry
    return None


def _month(entry: str) -> str | None:
    m = re.match(r"^(20[0-9]{2})(0[1-9]|1[0-2])$", entry)
    return f"{m[1]}-{m[2]}" if m else None


def _expiry(entry: str) -> str | None:
    return entry if re.match(r"^(0[1-9]|1[0-2])[0-9]{2}$", entry) else None


def _secret_mask(entry: str) -> str:
    return "*" * len(entry)


def _short_mask(entry: str) -> str:
    return "*" * max(len(entry) - 2, 0) + entry[-2:] if len(entry) > 4 else "*" * len(entry)


CHECKS: dict[str, Check] = {
    c.name: c
    for c in (
        Check("digits", _digits(1, 32)),
        Check("password", _digits(6, 6), secret=True, mask=_secret_mask),
        Check("id_number", _id_number, sensitive=True, mask=mask_id_number),
        Check("id_last6", _id_last6, sensitive=True, mask=_secret_mask),
        Check("card_number", _card, sensitive=True, mask=mask_card),
        Check("expiry", _expiry, sensitive=True, mask=_secret_mask),
        Check("account_number", _digits(12, 19), sensitive=True, mask=mask_account),
        Check("phone", _digits(7, 12), sensitive=True, mask=mask_mobile),
        Check("amount", _amount),
        Check("month", _month),
    )
}


def mask_entry(entry: str, *, check: str, record: str) -> str:
    """What the call record keeps of an entry."""
    if record == "plain":
        return entry[:40]
    spec = CHECKS.get(check)
    if record == "secret" or spec is None or spec.mask is None:
        return _secret_mask(entry)[:40]
    masked = spec.mask(entry)
    return (masked if masked != entry else _short_mask(entry))[:40]
