from __future__ import annotations

import pytest

from kefu.callbacks.models import AgentProfile


@pytest.fixture
def supervisor(role_users):
    return role_users["supervisor"]


@pytest.fixture
def agent(role_users):
    """The callback agent (role "callback")."""
    return role_users["callback"]


@pytest.fixture
def second_agent(make_user):
    user = make_user("callback2", "callback")
    AgentProfile.objects.create(user=user, daily_quota=30)
    return user


@pytest.fixture
def client_for(client_for):
    """Signed-in clients that chose English in the header menu: the tests read English
    messages, whatever the Chinese translations say (the UI is Chinese by default)."""

    def make(user):
        client = client_for(user)
        client.cookies["django_language"] = "en"
        return client

    return make
