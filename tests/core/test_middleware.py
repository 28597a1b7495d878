import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.test import AsyncClient
from django.utils.module_loading import import_string

pytestmark = pytest.mark.django_db


def test_every_middleware_also_runs_async():
    # One sync-only middleware makes Django run the whole request, async views included, in
    # the process's single sync thread: the IVR API would serve one step at a time again.
    sync_only = [
        path
        for path in settings.MIDDLEWARE
        if not getattr(import_string(path), "async_capable", False)
    ]

    assert sync_only == []


def test_a_request_through_the_async_chain_gets_its_language_and_request_id():
    response = async_to_sync(AsyncClient().get)("/login/", headers={"X-Request-ID": "abc123"})

    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    assert response["X-Request-ID"] == "abc123"
    assert "登录" in response.content.decode()


def test_static_files_are_served_through_the_async_chain(settings):
    settings.WHITENOISE_AUTOREFRESH = True  # find files without collectstatic
    from django.contrib.staticfiles import finders

    found = next(iter(finders.get_finder(settings.STATICFILES_FINDERS[-1]).list([])), None)
    assert found is not None, "the apps ship static files (htmx, styles): one must be found"
    name = found[0]

    response = async_to_sync(AsyncClient().get)(f"{settings.STATIC_URL}{name}")

    assert response.status_code == 200


# --- Django's middleware with their hooks in the event loop (kefu.core.middleware) --------


def test_signing_in_and_staying_signed_in_through_the_async_chain(make_user):
    make_user("async-agent", "agent")
    client = AsyncClient()

    signed_in = async_to_sync(client.post)(
        "/login/", {"username": "async-agent", "password": "Kefu#2026-test"}
    )
    assert signed_in.status_code == 302
    assert settings.SESSION_COOKIE_NAME in signed_in.cookies  # the session was saved

    home = async_to_sync(client.get)("/")
    assert home.status_code == 200
    assert "async-agent" in home.content.decode()
    # the security headers of the inline hooks are still there
    assert home["X-Frame-Options"] == "DENY"
    assert home["X-Content-Type-Options"] == "nosniff"


def test_a_post_without_csrf_token_is_refused_through_the_async_chain(make_user):
    make_user("async-csrf", "agent")
    client = AsyncClient(enforce_csrf_checks=True)

    response = async_to_sync(client.post)(
        "/login/", {"username": "async-csrf", "password": "Kefu#2026-test"}
    )

    assert response.status_code == 403
    assert settings.SESSION_COOKIE_NAME not in response.cookies


def test_an_api_call_with_a_token_leaves_no_session_through_the_async_chain(make_user):
    from kefu.core.services import api_token_create

    user = make_user("async-api", "agent")
    _token, raw = api_token_create(user=user, name="async")

    response = async_to_sync(AsyncClient().get)(
        "/api/core/me", headers={"Authorization": f"Bearer {raw}"}
    )

    assert response.status_code == 200, response.content
    assert response.json()["username"] == "async-api"
    assert settings.SESSION_COOKIE_NAME not in response.cookies


def test_a_message_survives_the_redirect_through_the_async_chain():
    from django.contrib import messages
    from django.http import HttpResponse
    from django.test import RequestFactory

    from kefu.core.middleware import MessageMiddleware, SessionMiddleware

    async def add_message(request):
        messages.success(request, "已保存")
        return HttpResponse("ok")

    async def show_messages(request):
        return HttpResponse("|".join(str(m) for m in messages.get_messages(request)))

    def chain(view):
        return SessionMiddleware(MessageMiddleware(view))

    first = async_to_sync(chain(add_message))(RequestFactory().get("/"))
    later = RequestFactory().get("/")
    later.COOKIES = {name: morsel.value for name, morsel in first.cookies.items()}
    shown = async_to_sync(chain(show_messages))(later)

    assert shown.content.decode() == "已保存"
