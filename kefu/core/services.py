"""Core use cases: audit events, staff sign-in and lockout, API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core import calendars, context
from kefu.core.errors import ErrorCode, KefuError, NotFound, ValidationFailed
from kefu.core.masking import mask_text
from kefu.core.models import ApiToken, AuditEvent, CalendarDay, CalendarYear, User

SYSTEM_ACTOR = "system"


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, Mapping):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float):
        return value
    return mask_text(str(value))


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: Mapping[str, tuple[Any, Any]] | None = None,
    data: Mapping[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Append one audit event (SEC-4). Values are masked before they are stored.

    ``changes`` maps a field name to ``(old, new)``. Call it inside the transaction of the
    change it records, so that both commit or neither does.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    ctx = context.current()
    label = actor_label or (actor.get_username() if actor is not None else SYSTEM_ACTOR)
    return AuditEvent.objects.create(
        actor=actor,
        actor_label=label,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=mask_text(object_repr)[:200],
        changes={
            k: {"old": _masked(o), "new": _masked(n)} for k, (o, n) in (changes or {}).items()
        },
        data=_masked(dict(data or {})),
        ip=ctx.ip,
        request_id=ctx.request_id,
    )


def model_changes(instance, fields: list[str], old: Mapping[str, Any]) -> dict[str, tuple]:
    """(old, new) pairs of the fields whose value changed, for audit_record."""
    return {
        f: (old.get(f), getattr(instance, f)) for f in fields if old.get(f) != getattr(instance, f)
    }


# --- sign-in and lockout (SEC-1) ----------------------------------------------------------


class SignInError(KefuError):
    status = 401
    code = ErrorCode.BAD_CREDENTIALS


def staff_sign_in(*, request, username: str, password: str) -> User:
    """Check a staff member's password, counting failures and locking the account.

    Returns the user (not yet logged in to the session). Raises SignInError with a message
    for the sign-in page; the failure count, lock and every attempt are audited.
    """
    now = timezone.now()
    user = User.objects.filter(username=username).first()
    if user is not None and user.locked_until is not None and user.is_locked(now=now):
        audit_record(actor=None, actor_label=username, action="auth.login.refused_locked", obj=user)
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        raise SignInError(
            _(
                "This account is locked after repeated failed sign-ins. Try again in "
                "%(minutes)d minutes or ask an administrator to unlock it."
            )
            % {"minutes": minutes},
            code=ErrorCode.ACCOUNT_LOCKED,
        )
    authenticated = authenticate(request, username=username, password=password)
    if authenticated is None or authenticated.is_service_account:
        if user is not None:
            _record_failed_sign_in(user=user, now=now)
        else:
            audit_record(
                actor=None,
                actor_label=username[:150] or "?",
                action="auth.login.failed_unknown_user",
            )
        raise SignInError(_("Wrong user name or password."))
    from kefu.core import totp

    if totp.is_enabled(authenticated):
        # The password was right; the sign-in completes only with the second factor
        # (staff_sign_in_complete), and only then is the failure count cleared.
        audit_record(actor=authenticated, action="auth.login.password_accepted", obj=authenticated)
        return authenticated
    return staff_sign_in_complete(user=authenticated)


def staff_sign_in_locked_message(user: User, *, now=None) -> str | None:
    """The lock message if ``user`` is locked now, else None."""
    now = now or timezone.now()
    if user.locked_until is None or not user.is_locked(now=now):
        return None
    minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
    return _(
        "This account is locked after repeated failed sign-ins. Try again in "
        "%(minutes)d minutes or ask an administrator to unlock it."
    ) % {"minutes": minutes}


@transaction.atomic
def staff_sign_in_complete(*, user: User, second_factor: bool = False) -> User:
    """Every check passed: clear the failure count and record the sign-in."""
    if user.failed_login_count or user.locked_until:
        user.failed_login_count = 0
        user.locked_until = None
        user.save(update_fields=["failed_login_count", "locked_until"])
    audit_record(
        actor=user,
        action="auth.login.succeeded",
        obj=user,
        data={"second_factor": True} if second_factor else None,
    )
    return user


@transaction.atomic
def _record_failed_sign_in(*, user: User, now) -> None:
    User.objects.filter(pk=user.pk).update(failed_login_count=F("failed_login_count") + 1)
    user.refresh_from_db(fields=["failed_login_count"])
    audit_record(
        actor=None,
        actor_label=user.username,
        action="auth.login.failed",
        obj=user,
        data={"failures": user.failed_login_count},
    )
    if user.failed_login_count >= settings.KEFU_LOGIN_MAX_FAILURES:
        user.locked_until = now + dt.timedelta(minutes=settings.KEFU_LOGIN_LOCK_MINUTES)
        user.failed_login_count = 0
        user.save(update_fields=["locked_until", "failed_login_count"])
        audit_record(
            actor=None,
            actor_label=user.username,
            action="auth.account.locked",
            obj=user,
            data={"until": user.locked_until},
        )


@transaction.atomic
def user_unlock(*, user: User, by: User) -> None:
    old = {"locked_until": user.locked_until, "failed_login_count": user.failed_login_count}
    user.locked_until = None
    user.failed_login_count = 0
    user.save(update_fields=["locked_until", "failed_login_count"])
    audit_record(
        actor=by,
        action="auth.account.unlocked",
        obj=user,
        changes=model_changes(user, ["locked_until", "failed_login_count"], old),
    )


# --- API tokens ------------------------------------------------------------------------------

TOKEN_PREFIX = "kefu"  # noqa: S105  (a label, not a secret)


def _hash_token_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, user: User, name: str, by: User | None = None, expires_at: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns the row and the full token, shown only once."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name[:64] or "token",
        prefix=prefix,
        secret_hash=_hash_token_secret(secret),
        created_by=by,
        expires_at=expires_at,
    )
    token.full_clean()
    token.save()
    audit_record(
        actor=by,
        action="auth.token.created",
        obj=token,
        data={"user": user.username, "name": token.name},
    )
    return token, f"{TOKEN_PREFIX}_{prefix}_{secret}"


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User | None) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=by, action="auth.token.revoked", obj=token, data={"user": token.user.username}
        )
    return token


def api_token_authenticate(*, raw: str) -> User | None:
    """The active user a bearer token belongs to, or None. Updates last use (per minute)."""
    parts = raw.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    _kefu, prefix, secret = parts
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not token.is_active():
        return None
    if not hmac.compare_digest(token.secret_hash, _hash_token_secret(secret)):
        return None
    if not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def api_token_get(*, prefix: str) -> ApiToken:
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None:
        raise NotFound(_("No API token with this prefix."))
    return token


@transaction.atomic
def demo_accounts_disable(*, by: User | None = None) -> int:
    """Deactivate every demo account and revoke its tokens (before a production start)."""
    count = 0
    for user in User.objects.select_for_update().filter(is_demo=True, is_active=True):
        user.is_active = False
        user.save(update_fields=["is_active"])
        for token in user.api_tokens.filter(revoked_at__isnull=True):
            api_token_revoke(token=token, by=by)
        audit_record(
            actor=by,
            action="auth.account.deactivated",
            obj=user,
            changes={"is_active": (True, False)},
            data={"reason": "demo account"},
        )
        count += 1
    return count


# --- calendars (CAL-1) ------------------------------------------------------------------------


def _calendar_days_for_audit(days: Sequence[calendars.ScheduleDay]) -> list[dict[str, str]]:
    # One dict per day, not one joined string: a run of dates would look like a card number
    # to the masking of audit values.
    return [
        {"date": d.date.isoformat(), "kind": d.kind, "name": d.name}
        for d in sorted(days, key=lambda d: d.date)
    ]


def _calendar_effective_days(year: int) -> tuple[str, list[calendars.ScheduleDay]]:
    """The source and days that apply to ``year`` now ("none" when the year is unknown)."""
    try:
        schedule = calendars.Calendar().schedule(year)
    except calendars.CalendarUnknownYear:
        return "none", []
    return schedule.source, schedule.days()


@transaction.atomic
def calendar_year_save(
    *, year: int, days: Sequence[calendars.ScheduleDay], source: str = "", by: User | None
) -> CalendarYear:
    """Enter the official schedule of ``year``, replacing any days entered for it before.

    The entered days override the packaged calendar for the whole year. Raises
    ValidationFailed (fields ``year``, ``source``, ``days``) and saves nothing when any day is
    wrong. The audit event holds the days that applied before and the days entered now.
    """
    source = source.strip()
    errors = calendars.validate_schedule(year=year, days=days, source=source)
    if errors:
        raise ValidationFailed(_("The schedule has errors; nothing was saved."), errors=errors)
    entered = CalendarYear.objects.select_for_update().filter(year=year).first()
    previous_source, previous_days = _calendar_effective_days(year)
    old_text = entered.source if entered is not None else ""
    if entered is None:
        entered = CalendarYear(year=year)
    else:
        entered.days.all().delete()
    entered.source = source
    entered.entered_by = by
    entered.entered_at = timezone.now()
    entered.full_clean()
    entered.save()
    rows = [CalendarDay(calendar_year=entered, date=d.date, kind=d.kind, name=d.name) for d in days]
    for row in rows:
        row.full_clean(exclude=["calendar_year"], validate_unique=False)
    CalendarDay.objects.bulk_create(rows)
    audit_record(
        actor=by,
        action="calendar.year.saved",
        obj=entered,
        changes={
            "days": (_calendar_days_for_audit(previous_days), _calendar_days_for_audit(days)),
            "source": (old_text, source),
        },
        data={
            "year": year,
            "previous_source": previous_source,
            "holidays": sum(1 for d in days if d.kind == CalendarDay.Kind.HOLIDAY),
            "workdays": sum(1 for d in days if d.kind == CalendarDay.Kind.WORKDAY),
        },
    )
    return entered


@transaction.atomic
def calendar_year_delete(*, year: int, by: User | None) -> str:
    """Delete the schedule entered for ``year``; the packaged calendar applies again.

    Returns the source that applies now: "package", or "none" when the package does not know
    the year either (dates in it then raise CalendarUnknownYear). NotFound if nothing was
    entered for the year.
    """
    entered = CalendarYear.objects.select_for_update().filter(year=year).first()
    if entered is None:
        raise NotFound(
            _("No schedule was entered for %(year)d, so there is nothing to delete.")
            % {"year": year}
        )
    _source, old_days = _calendar_effective_days(year)
    if year in calendars.package_years():
        now_source, new_days = "package", calendars.package_schedule(year).days()
    else:
        now_source, new_days = "none", []
    audit_record(
        actor=by,
        action="calendar.year.deleted",
        obj=entered,
        changes={
            "days": (_calendar_days_for_audit(old_days), _calendar_days_for_audit(new_days)),
            "source": (entered.source, ""),
        },
        data={"year": year, "now_source": now_source},
    )
    entered.delete()
    return now_source
