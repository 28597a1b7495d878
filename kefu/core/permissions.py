"""SEC-2: the one permission check used by every page and API endpoint."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from kefu.core.errors import Forbidden


def has_perms(user, *perms: str) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perms(perms))


def check_perms(user, *perms: str) -> None:
    """Raise Forbidden (403) unless ``user`` holds every permission in ``perms``."""
    if not has_perms(user, *perms):
        raise Forbidden(_("You do not have permission to do this."))


def require_perms(*perms: str):
    """View decorator: anonymous users go to the sign-in page, others need ``perms``."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_perms(request.user, *perms):
                raise PermissionDenied(_("You do not have permission to open this page."))
            return view(request, *args, **kwargs)

        wrapped.required_perms = perms  # read by the test that every view is protected
        return wrapped

    return decorator
