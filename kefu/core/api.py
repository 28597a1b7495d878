from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema

from kefu.core import selectors
from kefu.core.models import User
from kefu.core.permissions import check_perms
from kefu.core.roles import VIEW_AUDIT, user_roles

router = Router(tags=["core"])


class MeOut(Schema):
    username: str
    display_name: str
    kind: str
    roles: list[str]


@router.get("/me", response=MeOut, summary="Who the caller is")
def me(request: HttpRequest):
    user = request.user
    assert isinstance(user, User)  # the API's authentication guarantees a real user
    return MeOut(
        username=user.get_username(),
        display_name=user.display_name,
        kind=user.kind,
        roles=user_roles(user),
    )


class AuditFilter(Schema):
    action: str = ""
    actor: str = ""
    object_type: str = ""
    object_id: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    limit: int = 50


class AuditEventOut(Schema):
    id: int
    at: dt.datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    changes: dict
    data: dict
    ip: str | None


class AuditListOut(Schema):
    results: list[AuditEventOut]


@router.get("/audit", response=AuditListOut, summary="Search the audit log (SEC-4)")
def audit(request: HttpRequest, filters: Query[AuditFilter]):
    check_perms(request.user, VIEW_AUDIT)
    limit = max(1, min(filters.limit, 500))
    events = selectors.audit_search(**filters.dict(exclude={"limit"}))[:limit]
    return {
        "results": [
            AuditEventOut(
                id=e.id,
                at=e.at,
                actor=e.actor_label,
                action=e.action,
                object_type=e.object_type,
                object_id=e.object_id,
                object_repr=e.object_repr,
                changes=e.changes,
                data=e.data,
                ip=e.ip,
            )
            for e in events
        ]
    }
