"""Every page of Kefu's own apps checks permissions (SEC-2): a view is either decorated with
kefu.core.permissions.require_perms or listed here as public with a reason."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver

PUBLIC = {
    "core:login": "the sign-in page",
    "core:login_code": "the second step of signing in (after the right password)",
    "core:logout": "signing out needs no permission",
    "tickets:survey": "the satisfaction link sent to customers (a one-time token)",
}


def kefu_patterns(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if ns and ns in ("admin", "api"):
                continue
            yield from kefu_patterns(entry, ns)
        elif isinstance(entry, URLPattern):
            module = getattr(entry.callback, "__module__", "")
            if module.startswith("kefu."):
                yield f"{namespace}:{entry.name}", entry.callback


def test_every_kefu_page_is_protected_or_declared_public():
    unprotected = [
        name
        for name, view in kefu_patterns()
        if name not in PUBLIC and not hasattr(view, "required_perms")
    ]

    assert unprotected == []


def test_the_walk_finds_the_pages():
    names = {name for name, _view in kefu_patterns()}

    assert {"core:home", "core:audit", "customers:search", "customers:detail"} <= names
