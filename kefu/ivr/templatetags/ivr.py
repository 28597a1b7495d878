"""Labels of the hotline's codes (functions, transfer reasons, queues) for pages."""

from __future__ import annotations

from django import template

from kefu.ivr import selectors

register = template.Library()


@register.filter
def function_label(code: str) -> str:
    return selectors.function_label(code)


@register.filter
def function_labels(codes) -> str:
    return "、".join(selectors.function_label(c) for c in codes or [])


@register.filter
def reason_label(code: str) -> str:
    return selectors.reason_label(code)


@register.filter
def queue_label(code: str) -> str:
    return selectors.queue_label(code)
