"""The optional second factor at sign-in (SEC-1): a time-based one-time code (RFC 6238) from
an authenticator app on the staff member's phone.

A staff member turns it on from the account page: Kefu makes a secret (kept encrypted at
rest), shows it as a QR code, and asks for one code to confirm the app has it. From then on
the sign-in page asks for a code after the password. Codes are good once (a replayed code
is refused), wrong codes count towards the account lock like wrong passwords, and neither
the secret nor a code is ever logged. An administrator can reset a lost authenticator; every
step is audited.
"""

from __future__ import annotations

import datetime as dt

import pyotp
import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.errors import Conflict, ErrorCode, KefuError, ValidationFailed
from kefu.core.models import TotpDevice, User

STEP_SECONDS = 30
# Accept the code of the step before and after the current one (phone clocks drift).
WINDOW = 1


class SecondFactorError(KefuError):
    status = 401
    code = ErrorCode.BAD_CREDENTIALS


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=6, interval=STEP_SECONDS)


def _matching_step(secret: str, code: str, *, now: dt.datetime) -> int | None:
    """The time step whose code ``code`` is, within the window; None if none matches."""
    code = (code or "").strip().replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return None
    totp = _totp(secret)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in range(current - WINDOW, current + WINDOW + 1):
        if pyotp.utils.strings_equal(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def is_enabled(user: User) -> bool:
    """True when ``user`` has a confirmed authenticator (sign-in asks for a code)."""
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def pending_device(user: User) -> TotpDevice | None:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=True).first()


def provisioning_uri(device: TotpDevice) -> str:
    issuer = settings.KEFU_TOTP_ISSUER
    return _totp(device.secret).provisioning_uri(name=device.user.username, issuer_name=issuer)


def qr_svg(device: TotpDevice) -> str:
    """The provisioning URI as an inline SVG QR code (no image file, nothing external)."""
    return segno.make(provisioning_uri(device), error="m").svg_inline(scale=5, border=2)


def secret_for_display(device: TotpDevice) -> str:
    """The secret in groups of four, for typing into an app that cannot scan."""
    return " ".join(device.secret[i : i + 4] for i in range(0, len(device.secret), 4))


@transaction.atomic
def setup_begin(*, user: User) -> TotpDevice:
    """Start (or restart) setting up an authenticator: a new secret, not yet required."""
    from kefu.core.services import audit_record

    if is_enabled(user):
        raise Conflict(_("Two-step verification is already on. Turn it off first to change it."))
    TotpDevice.objects.filter(user=user).delete()
    device = TotpDevice.objects.create(user=user, secret=pyotp.random_base32())
    audit_record(actor=user, action="auth.totp.setup_started", obj=user)
    return device


def setup_confirm(*, user: User, code: str, now: dt.datetime | None = None) -> TotpDevice:
    """Turn the second factor on once the app shows a right code."""
    from kefu.core.services import audit_record

    now = now or timezone.now()
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(user=user).first()
        if device is None or device.confirmed_at is not None:
            raise Conflict(_("Start setting up two-step verification first."))
        step = _matching_step(device.secret, code, now=now)
        if step is not None:
            device.confirmed_at = now
            device.last_step = step
            device.save(update_fields=["confirmed_at", "last_step"])
            audit_record(actor=user, action="auth.totp.enabled", obj=user)
            return device
    audit_record(actor=user, action="auth.totp.setup_failed", obj=user)
    raise ValidationFailed(
        _("That code is not right. Check the phone's time and enter the 6 digits shown now."),
        errors={"code": [_("Wrong code.")]},
    )


def verify_at_sign_in(*, user: User, code: str, now: dt.datetime | None = None) -> None:
    """Check the second factor of a sign-in whose password was right. A wrong or replayed
    code counts as a failed sign-in (towards the account lock) and raises SecondFactorError."""
    from kefu.core.services import _record_failed_sign_in, audit_record

    now = now or timezone.now()
    with transaction.atomic():
        device = (
            TotpDevice.objects.select_for_update()
            .filter(user=user, confirmed_at__isnull=False)
            .first()
        )
        if device is None:
            return
        step = _matching_step(device.secret, code, now=now)
        accepted = step is not None and step > device.last_step
        if step is not None and accepted:
            device.last_step = step
            device.save(update_fields=["last_step"])
            audit_record(actor=user, action="auth.totp.verified", obj=user)
    if not accepted:
        _record_failed_sign_in(user=user, now=now)
        raise SecondFactorError(
            _("Wrong or already used code. Enter the 6 digits your authenticator shows now.")
        )


def disable(*, user: User, code: str, now: dt.datetime | None = None) -> None:
    """The staff member turns the second factor off, proving it with a current code (a set-up
    not yet confirmed is simply cancelled)."""
    from kefu.core.services import audit_record

    now = now or timezone.now()
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(user=user).first()
        if device is None:
            return
        step = _matching_step(device.secret, code, now=now) if device.confirmed_at else None
        if device.confirmed_at is None or (step is not None and step > device.last_step):
            device.delete()
            audit_record(actor=user, action="auth.totp.disabled", obj=user)
            return
    audit_record(actor=user, action="auth.totp.disable_refused", obj=user)
    raise ValidationFailed(
        _("That code is not right; two-step verification stays on."),
        errors={"code": [_("Wrong code.")]},
    )


@transaction.atomic
def reset(*, user: User, by: User) -> bool:
    """An administrator removes a staff member's authenticator (a lost phone). True if there
    was one."""
    from kefu.core.services import audit_record

    deleted, _rows = TotpDevice.objects.filter(user=user).delete()
    if deleted:
        audit_record(actor=by, action="auth.totp.reset", obj=user)
    return bool(deleted)
