"""Shared test fixtures: fast hashes, staff users per role, API clients."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from kefu.core.roles import ROLES, sync_roles
from kefu.core.services import api_token_create


@pytest.fixture(autouse=True)
def _fast_hashes(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.KEFU_CARD_PASSWORD_TIME_COST = 1
    settings.KEFU_CARD_PASSWORD_MEMORY_KIB = 8
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    # IVR API steps run in this thread: the test database lives in the test's own
    # transaction and connection (threads of their own are tested with real servers).
    settings.KEFU_IVR_API_THREADS = False


@pytest.fixture
def roles(db):
    sync_roles()
    return {g.name: g for g in Group.objects.all()}


@pytest.fixture
def make_user(roles, django_user_model):
    def make(username: str, *role_codes: str, **extra):
        user = django_user_model.objects.create_user(
            username=username, password="Kefu#2026-test", display_name=username, **extra
        )
        for code in role_codes:
            user.groups.add(roles[code])
        return user

    return make


@pytest.fixture
def role_users(make_user):
    """One user per role of SPEC §0, named after the role."""
    return {role.code: make_user(role.code, role.code) for role in ROLES}


@pytest.fixture
def client_for():
    """A Django test client signed in as the given user."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def api_client_for():
    """A client that sends a fresh bearer token of the given user."""

    def make(user) -> Client:
        _token, raw = api_token_create(user=user, name="test")
        return Client(headers={"Authorization": f"Bearer {raw}"})

    return make
