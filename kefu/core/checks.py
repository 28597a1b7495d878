"""System checks that refuse unsafe production settings (run by ``kefu serve``)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def check_production_settings(app_configs, **kwargs):
    errors = []
    if settings.DEBUG:
        return errors
    if settings.SECRET_KEY == settings.DEV_SECRET_KEY:
        errors.append(
            Error(
                "KEFU_SECRET_KEY is not set: the development key is public.",
                hint="Set KEFU_SECRET_KEY to a long random value.",
                id="kefu.E001",
            )
        )
    if settings.KEFU_ENCRYPTION_KEYS[0] == settings.DEV_ENCRYPTION_KEY:
        errors.append(
            Error(
                "KEFU_ENCRYPTION_KEYS is not set: personal data would be "
                "encrypted with the public development key.",
                hint="Generate one with `kefu genkey`.",
                id="kefu.E002",
            )
        )
    if settings.KEFU_LOOKUP_KEY == settings.DEV_LOOKUP_KEY:
        errors.append(
            Error(
                "KEFU_LOOKUP_KEY is not set: look-up hashes would use the public development key.",
                hint="Generate one with `kefu genkey`.",
                id="kefu.E003",
            )
        )
    return errors


@register(Tags.security, deploy=True)
def check_no_demo_accounts(app_configs, **kwargs):
    """A production start (DEBUG off) refuses to run while demo accounts exist."""
    if settings.DEBUG:
        return []
    from django.db import DatabaseError

    from kefu.core.models import User

    try:
        demo = list(
            User.objects.filter(is_demo=True, is_active=True).values_list("username", flat=True)[
                :20
            ]
        )
    except DatabaseError:
        return []
    if not demo:
        return []
    return [
        Error(
            "Demo accounts exist: " + ", ".join(demo),
            hint="Deactivate them (`kefu demo-accounts --disable`) or run with KEFU_DEBUG=1 "
            "for a demonstration.",
            id="kefu.E010",
        )
    ]


@register()
def check_sms_sender(app_configs, **kwargs):
    """KEFU_SMS_SENDER must name a class that imports (a typo would only show when the
    first SMS is due, and that customer would never get it)."""
    from django.utils.module_loading import import_string

    try:
        import_string(settings.KEFU_SMS_SENDER)
    except ImportError as exc:
        return [
            Error(
                f"KEFU_SMS_SENDER {settings.KEFU_SMS_SENDER!r} cannot be imported: {exc}",
                hint="Name a class with a send(*, to, text, secrets) method, or leave it "
                "unset for kefu.core.sms.LoggingSmsSender.",
                id="kefu.E011",
            )
        ]
    return []
