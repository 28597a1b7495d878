"""API authentication: bearer tokens (staff and service accounts) or the staff session."""

from __future__ import annotations

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
