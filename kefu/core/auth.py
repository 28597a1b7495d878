"""Authentication: the sign-in backend, and the API's bearer tokens (staff and service
accounts) or the staff session."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q
from ninja.security import APIKeyCookie, HttpBearer

from kefu.core import generations
from kefu.core.services import api_token_authenticate


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        user = api_token_authenticate(raw=token)
        if user is None:
            return None
        request.user = user
        return user


class StaffSession(APIKeyCookie):
    """The signed-in staff member's session, with CSRF checked on unsafe methods."""

    param_name = "sessionid"

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.is_service_account:
            return user
        return None


api_auth = [BearerToken(), StaffSession()]


class PermissionBackend(ModelBackend):
    """Django's ModelBackend, reading a user's permissions (their own and their groups', in
    one query) once per configuration generation (kefu.core.generations) instead of once per
    request: every view and API call checks permissions, the hotline's API on each key
    press. Granting or taking a role or a permission replaces the generation, so the next
    request of every process sees it. Whether the user is active or a superuser is read
    from the user of the request, never kept."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = generations.snapshot().get(
                ("core.permissions", user_obj.pk), lambda: _permissions_of(user_obj.pk)
            )
        return user_obj._perm_cache


def _permissions_of(user_id: int) -> frozenset[str]:
    rows = (
        Permission.objects.filter(Q(user=user_id) | Q(group__user=user_id))
        .values_list("content_type__app_label", "codename")
        .distinct()
    )
    return frozenset(f"{app}.{codename}" for app, codename in rows)
