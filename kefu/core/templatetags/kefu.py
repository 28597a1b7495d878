"""Template filters: SEC-3 masking and Chinese money formatting, shared by every template."""

from __future__ import annotations

from decimal import Decimal

from django import template

from kefu.core import masking

register = template.Library()

register.filter("mask_card", masking.mask_card)
register.filter("mask_mobile", masking.mask_mobile)
register.filter("mask_id", masking.mask_id_number)
register.filter("mask_account", masking.mask_account)
register.filter("mask_name", masking.mask_name)
# is_safe: mask_text only swaps digits for "*", so a note that was safe HTML stays safe (and
# is not escaped twice), while unsafe input is still escaped on output.
register.filter("mask_text", masking.mask_text, is_safe=True)


@register.filter
def money(value) -> str:
    """3256.18 → 3,256.18 (two decimals, thousands separators)."""
    if value is None or value == "":
        return ""
    return f"{Decimal(value):,.2f}"


STATUS_BADGES = {
    "active": "ok",
    "lost": "err",
    "frozen": "warn",
    "closed": "",
    "inactive": "warn",
    "dormant": "warn",
    "transferred": "",
    "rejected": "err",
    "mailed": "ok",
}


@register.filter
def badge_class(status: str) -> str:
    return STATUS_BADGES.get(status, "")


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
