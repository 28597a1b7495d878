import pytest

from kefu.core.models import AuditEvent, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(make_user, client_for):
    return client_for(make_user("root", "admin", is_staff=True))


def test_creating_a_user_in_the_admin_is_audited_without_the_password(admin_client):
    response = admin_client.post(
        "/admin/core/user/add/",
        {
            "username": "li.qiang",
            "password1": "Qiang#2026-secret",
            "password2": "Qiang#2026-secret",
            "usable_password": "true",
        },
    )

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="user.created")
    assert event.object_id == str(User.objects.get(username="li.qiang").pk)
    assert "Qiang#2026-secret" not in str(event.changes)


def test_changing_roles_and_unlocking_in_the_admin_is_audited(admin_client, make_user, roles):
    user = make_user("zhou", "agent")
    form = {
        "username": "zhou",
        "kind": "staff",
        "display_name": "周敏",
        "employee_no": "A1001",
        "is_active": "on",
        "groups": [roles["agent"].pk, roles["supervisor"].pk],
        "date_joined_0": "2026-11-01",
        "date_joined_1": "09:00:00",
    }

    response = admin_client.post(f"/admin/core/user/{user.pk}/change/", form)

    assert response.status_code == 302, response.content.decode()[:2000]
    changed = AuditEvent.objects.get(action="user.changed")
    assert changed.changes["display_name"] == {"old": "zhou", "new": "周敏"}
    roles_event = AuditEvent.objects.get(action="user.roles.changed")
    assert roles_event.changes == {"groups": {"old": ["agent"], "new": ["agent", "supervisor"]}}


def test_users_cannot_be_deleted_in_the_admin(admin_client, make_user):
    user = make_user("zhou", "agent")

    response = admin_client.post(f"/admin/core/user/{user.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert User.objects.filter(pk=user.pk).exists()


def test_an_agent_cannot_open_the_admin(make_user, client_for):
    response = client_for(make_user("wang", "agent")).get("/admin/core/user/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_an_administrator_revokes_a_token_in_the_admin_and_it_is_audited(admin_client, make_user):
    from kefu.core.models import ApiToken
    from kefu.core.services import api_token_create

    token, raw = api_token_create(user=make_user("tel", "telephony"), name="pbx")

    response = admin_client.post(
        "/admin/core/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}
    )

    assert response.status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert AuditEvent.objects.filter(action="auth.token.revoked").count() == 1
