import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from kefu.core import services
from kefu.core.models import ApiToken, AuditEvent, User

pytestmark = pytest.mark.django_db

PASSWORD = "Kefu#2026-test"


def sign_in(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def test_it_signs_in_with_the_right_password_and_records_it(make_user):
    user = make_user("wang", "agent")
    client = Client()

    response = sign_in(client, "wang", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.login.succeeded", actor=user).count() == 1


def test_a_wrong_password_is_refused_with_a_chinese_message(make_user):
    make_user("wang", "agent")

    response = sign_in(Client(), "wang", "wrong")

    assert response.status_code == 401
    assert "用户名或密码错误" in response.content.decode()
    assert User.objects.get(username="wang").failed_login_count == 1


def test_it_locks_the_account_after_five_failures_even_for_the_right_password(make_user, settings):
    settings.KEFU_LOGIN_MAX_FAILURES = 5
    make_user("wang", "agent")
    client = Client()
    for _ in range(5):
        sign_in(client, "wang", "wrong")

    response = sign_in(client, "wang", PASSWORD)

    assert response.status_code == 401
    assert "锁定" in response.content.decode()
    user = User.objects.get(username="wang")
    assert user.locked_until is not None
    assert AuditEvent.objects.filter(action="auth.account.locked").count() == 1
    assert not AuditEvent.objects.filter(action="auth.login.succeeded").exists()


def test_the_lock_expires_after_the_configured_minutes(make_user, settings):
    settings.KEFU_LOGIN_LOCK_MINUTES = 15
    make_user("wang", "agent")
    client = Client()
    for _ in range(settings.KEFU_LOGIN_MAX_FAILURES):
        sign_in(client, "wang", "wrong")

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        response = sign_in(client, "wang", PASSWORD)

    assert response.status_code == 302


def test_a_service_account_cannot_sign_in_to_pages(make_user):
    make_user("telephony2", "telephony", kind=User.Kind.SERVICE)

    response = sign_in(Client(), "telephony2", PASSWORD)

    assert response.status_code == 401


def test_an_unknown_user_gets_the_same_message_and_an_audit_event():
    response = sign_in(Client(), "nobody", "whatever")

    assert response.status_code == 401
    assert "用户名或密码错误" in response.content.decode()
    assert AuditEvent.objects.filter(action="auth.login.failed_unknown_user").count() == 1


def test_an_open_redirect_after_sign_in_is_refused(make_user):
    make_user("wang", "agent")

    response = Client().post(
        "/login/?next=https://evil.example/",
        {"username": "wang", "password": PASSWORD, "next": "https://evil.example/"},
    )

    assert response["Location"] == "/"


def test_an_idle_session_expires(make_user, settings):
    settings.SESSION_COOKIE_AGE = 30 * 60
    make_user("wang", "agent")
    client = Client()
    sign_in(client, "wang", PASSWORD)

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=31)):
        response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_sign_out_needs_post_and_ends_the_session(make_user):
    make_user("wang", "agent")
    client = Client()
    sign_in(client, "wang", PASSWORD)

    assert client.get("/logout/").status_code == 405
    client.post("/logout/")

    assert client.get("/").status_code == 302


def test_token_create_prints_the_token_alone_on_the_last_line(make_user, capsys):
    user = make_user("tel", "telephony", kind=User.Kind.SERVICE)

    call_command("token", "create", "tel")

    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("kefu_")
    assert services.api_token_authenticate(raw=last) == user
    stored = ApiToken.objects.get(user=user)
    assert last.split("_", 2)[2] not in stored.secret_hash


def test_a_revoked_or_expired_token_is_refused(make_user):
    user = make_user("tel", "telephony", kind=User.Kind.SERVICE)
    revoked, raw_revoked = services.api_token_create(user=user, name="a")
    _expired, raw_expired = services.api_token_create(
        user=user, name="b", expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    services.api_token_revoke(token=revoked, by=None)

    for raw in (raw_revoked, raw_expired, "kefu_nothing_here", "garbage"):
        response = Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/core/me")
        assert response.status_code == 401
    assert AuditEvent.objects.filter(action="auth.token.revoked").count() == 1


def test_a_token_of_a_deactivated_user_is_refused(make_user):
    user = make_user("tel", "telephony", kind=User.Kind.SERVICE)
    _token, raw = services.api_token_create(user=user, name="a")
    user.is_active = False
    user.save()

    response = Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/core/me")

    assert response.status_code == 401


def test_me_reports_the_roles_of_a_token_user(make_user, api_client_for):
    user = make_user("tel", "telephony", kind=User.Kind.SERVICE)

    response = api_client_for(user).get("/api/core/me")

    assert response.json() == {
        "username": "tel",
        "display_name": "tel",
        "kind": "service",
        "roles": ["telephony"],
    }


def test_token_revoke_command_with_an_unknown_prefix_fails_clearly(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="没有此前缀的 API 令牌"):
        call_command("token", "revoke", "nope")


def test_the_session_api_needs_csrf_for_unsafe_methods(make_user):
    user = make_user("sup", "supervisor")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.post(
        "/api/customers/1/reveal", {"field": "mobile"}, content_type="application/json"
    )

    assert response.status_code in (401, 403)
    assert not AuditEvent.objects.filter(action="customer.pii.revealed").exists()


@pytest.mark.django_db
def test_the_permission_backend_reads_the_same_permissions_as_djangos_in_one_query(
    make_user, roles, django_assert_num_queries
):
    from django.contrib.auth.backends import ModelBackend
    from django.contrib.auth.models import Permission

    from kefu.core.auth import PermissionBackend

    agent = make_user("perm-agent", "agent", "qa")  # two groups that share permissions
    agent.user_permissions.add(Permission.objects.get(codename="view_auditevent"))
    expected = ModelBackend().get_all_permissions(User.objects.get(pk=agent.pk))

    fresh = User.objects.get(pk=agent.pk)
    with django_assert_num_queries(2):  # the configuration generation, the permissions
        got = PermissionBackend().get_all_permissions(fresh)
        assert PermissionBackend().get_all_permissions(fresh) is got  # cached on the user
    another_request = User.objects.get(pk=agent.pk)
    with django_assert_num_queries(1):  # the generation: the permissions are kept by it
        assert PermissionBackend().get_all_permissions(another_request) == got
    assert got == expected
    assert "core.view_auditevent" in got and "tickets.add_ticket" in got
    assert fresh.has_perm("core.view_auditevent")

    nobody = make_user("perm-nobody")
    assert PermissionBackend().get_all_permissions(nobody) == set()
    agent.is_active = False
    assert PermissionBackend().get_all_permissions(agent) == set()
    boss = make_user("perm-root", is_superuser=True)
    assert PermissionBackend().get_all_permissions(boss) == ModelBackend().get_all_permissions(
        User.objects.get(pk=boss.pk)
    )
