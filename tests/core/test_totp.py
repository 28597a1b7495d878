"""The optional second factor at sign-in (SEC-1): set up, sign in with a code, replay and
wrong codes refused and counted towards the lock, turned off, reset by an administrator."""

from __future__ import annotations

import datetime as dt
import logging

import pyotp
import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone

from kefu.core import totp
from kefu.core.models import AuditEvent, TotpDevice

pytestmark = pytest.mark.django_db

PASSWORD = "Kefu#2026-test"
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def code_at(secret: str, when: dt.datetime) -> str:
    return pyotp.TOTP(secret).at(when)


@pytest.fixture
def enrolled(make_user):
    """An agent whose authenticator is set up and confirmed."""
    user = make_user("wang", "agent")
    device = totp.setup_begin(user=user)
    totp.setup_confirm(user=user, code=code_at(device.secret, NOW), now=NOW)
    device.refresh_from_db()
    return user, device.secret


def sign_in(client, username="wang", password=PASSWORD):
    return client.post("/login/", {"username": username, "password": password})


def test_setting_up_shows_a_qr_code_and_needs_a_right_code(make_user, client_for):
    user = make_user("li", "agent")
    client = client_for(user)

    started = client.post("/account/security/", {"action": "begin"}, follow=True)
    secret = TotpDevice.objects.get(user=user).secret
    wrong = client.post("/account/security/", {"action": "confirm", "code": "000000"})
    bad = client.post("/account/security/", {"action": "confirm", "code": "12ab"})
    assert not totp.is_enabled(user)
    right = client.post(
        "/account/security/", {"action": "confirm", "code": pyotp.TOTP(secret).now()}
    )

    assert started.status_code == 200 and "<svg" in started.text
    assert 'id="totp-secret"' in started.text
    assert wrong.status_code == 400 and 'role="alert"' in wrong.text
    assert bad.status_code == 400
    assert right.status_code == 302 and totp.is_enabled(user)
    actions = list(AuditEvent.objects.filter(actor=user).values_list("action", flat=True))
    assert {"auth.totp.setup_started", "auth.totp.setup_failed", "auth.totp.enabled"} <= set(
        actions
    )


def test_the_secret_is_stored_encrypted(enrolled):
    user, secret = enrolled
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM core_totpdevice WHERE user_id = %s", [user.pk])
        (stored,) = cursor.fetchone()

    assert secret not in stored
    assert TotpDevice.objects.get(user=user).secret == secret


def test_sign_in_asks_for_the_code_after_the_password(enrolled, caplog):
    user, secret = enrolled
    client = Client()
    later = NOW + dt.timedelta(minutes=10)

    with time_machine.travel(later, tick=False), caplog.at_level(logging.DEBUG):
        first = sign_in(client)
        not_yet = client.get("/")
        code = code_at(secret, later)
        done = client.post("/login/code/", {"code": code})
        home = client.get("/")

    assert first.status_code == 302 and first["Location"] == "/login/code/"
    assert not_yet.status_code == 302 and "/login/" in not_yet["Location"]
    assert done.status_code == 302 and done["Location"] == "/"
    assert home.status_code == 200
    event = AuditEvent.objects.filter(action="auth.login.succeeded", actor=user).get()
    assert event.data == {"second_factor": True}
    assert secret not in caplog.text and code not in caplog.text


def test_a_code_is_good_once(enrolled):
    user, secret = enrolled
    later = NOW + dt.timedelta(minutes=10)
    with time_machine.travel(later, tick=False):
        first = Client()
        sign_in(first)
        first.post("/login/code/", {"code": code_at(secret, later)})
        second = Client()
        sign_in(second)
        replay = second.post("/login/code/", {"code": code_at(secret, later)})

    assert replay.status_code == 401 and 'role="alert"' in replay.text
    assert second.get("/").status_code == 302
    assert AuditEvent.objects.filter(action="auth.login.succeeded", actor=user).count() == 1


def test_wrong_codes_lock_the_account_and_a_right_password_does_not_clear_them(enrolled):
    user, _secret = enrolled
    client = Client()
    with time_machine.travel(NOW + dt.timedelta(minutes=10), tick=False):
        for _ in range(2):
            sign_in(client)
            client.post("/login/code/", {"code": "111111"})
            client.post("/login/code/", {"code": "222222"})
        sign_in(client)
        last = client.post("/login/code/", {"code": "333333"}, follow=True)

    user.refresh_from_db()
    assert user.locked_until is not None
    assert "锁定" in last.text or "locked" in last.text
    assert AuditEvent.objects.filter(action="auth.account.locked", object_id=str(user.pk)).exists()
    assert not AuditEvent.objects.filter(action="auth.login.succeeded", actor=user).exists()


def test_the_code_step_times_out_and_needs_a_password_first(enrolled):
    _user, secret = enrolled
    client = Client()

    direct = client.get("/login/code/")
    with time_machine.travel(NOW + dt.timedelta(minutes=10), tick=False):
        sign_in(client)
    late = NOW + dt.timedelta(minutes=16)
    with time_machine.travel(late, tick=False):
        expired = client.post("/login/code/", {"code": code_at(secret, late)})

    assert direct.status_code == 302 and direct["Location"] == "/login/"
    assert expired.status_code == 302 and expired["Location"] == "/login/"
    assert client.get("/").status_code == 302


def test_turning_it_off_needs_a_right_code(enrolled, client_for):
    user, secret = enrolled
    client = client_for(user)
    later = NOW + dt.timedelta(minutes=20)

    with time_machine.travel(later, tick=False):
        refused = client.post("/account/security/", {"action": "disable", "code": "123456"})
        assert totp.is_enabled(user)
        done = client.post(
            "/account/security/", {"action": "disable", "code": code_at(secret, later)}
        )

    assert refused.status_code == 400
    assert done.status_code == 302 and not totp.is_enabled(user)
    assert AuditEvent.objects.filter(action="auth.totp.disabled", actor=user).exists()
    assert AuditEvent.objects.filter(action="auth.totp.disable_refused", actor=user).exists()


def test_an_administrator_resets_a_lost_authenticator(enrolled, make_user, client_for):
    user, _secret = enrolled
    admin = client_for(make_user("root", "admin", is_staff=True))

    response = admin.post(
        "/admin/core/user/",
        {"action": "reset_two_step", "_selected_action": [user.pk]},
    )

    assert response.status_code == 302
    assert not totp.is_enabled(user)
    assert AuditEvent.objects.filter(action="auth.totp.reset", object_id=str(user.pk)).exists()
    # signing in is back to the password alone
    assert sign_in(Client())["Location"] == "/"


@pytest.mark.parametrize("role", ["agent", "supervisor", "qa"])
def test_other_roles_cannot_reset_anyone(enrolled, make_user, client_for, role):
    user, _secret = enrolled
    other = client_for(make_user("x", role))

    response = other.post(
        "/admin/core/user/", {"action": "reset_two_step", "_selected_action": [user.pk]}
    )

    assert response.status_code in (302, 403) and "/admin/login/" in response.get(
        "Location", "/admin/login/"
    )
    assert totp.is_enabled(user)


def test_the_security_page_needs_a_sign_in():
    response = Client().get("/account/security/")

    assert response.status_code == 302 and "/login/" in response["Location"]
    assert timezone.now()
