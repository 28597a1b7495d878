"""Authentication: the sign-in backend, and the API's bearer tokens (staff and service
accounts) or the staff session."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q
from ninja.security import APIKeyCookie, HttpBearer

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
    """Django's ModelBackend, reading a user's permissions (their own and their groups') in
    one query instead of two. Every view and API call checks permissions, and the hotline's
    API checks them on each key press, so the second query was a tenth of a step."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            rows = (
                Permission.objects.filter(Q(user=user_obj) | Q(group__user=user_obj))
                .values_list("content_type__app_label", "codename")
                .distinct()
            )
            user_obj._perm_cache = {f"{app}.{codename}" for app, codename in rows}
        return user_obj._perm_cache
