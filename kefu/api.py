"""The JSON API: one NinjaAPI that mounts each app's router. Errors are problem+json."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

from kefu import __version__
from kefu.core.auth import api_auth
from kefu.core.errors import KefuError, field_errors_from_django

api = NinjaAPI(
    title="Kefu API",
    version=__version__,
    description="Kefu customer-service centre API. Authenticate with "
    "`Authorization: Bearer <token>` (create one with `kefu token create USERNAME`).",
    auth=api_auth,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)

PROBLEM = "application/problem+json"


def problem(
    request,
    *,
    status: int,
    title: str,
    code: str,
    detail: str = "",
    errors: list[dict] | None = None,
):
    body = {
        "type": f"https://kefu.invalid/problems/{code}",
        "title": title,
        "status": status,
        "code": code,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM
    return response


@api.exception_handler(KefuError)
def on_kefu_error(request, exc: KefuError):
    errors = [
        {"field": field, "message": message}
        for field, messages in exc.errors.items()
        for message in messages
    ]
    return problem(request, status=exc.status, title=exc.message, code=str(exc.code), errors=errors)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    errors = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "payload")]
        errors.append({"field": ".".join(loc) or "__all__", "message": err.get("msg", "invalid")})
    return problem(
        request, status=422, title="The request is invalid.", code="invalid", errors=errors
    )


@api.exception_handler(DjangoValidationError)
def on_django_validation_error(request, exc: DjangoValidationError):
    errors = [
        {"field": field, "message": message}
        for field, messages in field_errors_from_django(exc).items()
        for message in messages
    ]
    return problem(
        request, status=422, title="The request is invalid.", code="invalid", errors=errors
    )


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return problem(
        request,
        status=401,
        title="Authentication required.",
        code="unauthenticated",
        detail="Send Authorization: Bearer <token>, or sign in.",
    )


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return problem(
        request,
        status=403,
        title="You do not have permission to do this.",
        code="permission_denied",
    )


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return problem(request, status=404, title="Not found.", code="not_found")


def _mount_routers() -> None:
    from kefu.callbacks.api import router as callbacks_router
    from kefu.core.api import router as core_router
    from kefu.customers.api import router as customers_router
    from kefu.ivr.api import router as ivr_router
    from kefu.knowledge.api import router as knowledge_router
    from kefu.tickets.api import router as tickets_router

    api.add_router("/core", core_router)
    api.add_router("/customers", customers_router)
    api.add_router("/callbacks", callbacks_router)
    api.add_router("/ivr", ivr_router)
    api.add_router("/knowledge", knowledge_router)
    api.add_router("/tickets", tickets_router)


_mount_routers()
