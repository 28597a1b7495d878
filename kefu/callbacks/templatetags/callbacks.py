from __future__ import annotations

import json

from django import template

register = template.Library()


@register.filter
def json_attr(value) -> str:
    """JSON for a data- attribute (escaped by the template's autoescape)."""
    return json.dumps(value, ensure_ascii=False)


@register.filter
def percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"
