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
