"""SEC-4: the audit log is append-only everywhere, masks values, and only some roles read it."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from kefu.core.models import AuditEvent
from kefu.core.services import audit_record

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
READERS = ["supervisor", "manager", "admin"]
NON_READERS = ["agent", "qa", "tech", "callback", "complaint", "partner", "telephony"]


@pytest.fixture
def event(role_users):
    return audit_record(
        actor=role_users["supervisor"],
        action="customer.updated",
        object_type="customers.customer",
        object_id="7",
        object_repr="张伟",
        changes={"segment": ("standard", "gold")},
    )


def stored(event: AuditEvent) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT action, actor_label, object_repr FROM core_auditevent WHERE id = %s",
            [event.pk],
        )
        return cursor.fetchone()


# --- append-only: model, queryset, database --------------------------------------------------


def test_an_event_cannot_be_saved_again(event):
    event.action = "customer.deleted"

    with pytest.raises(PermissionError, match="append-only"):
        event.save()
    with pytest.raises(PermissionError, match="append-only"):
        event.save(update_fields=["action"])

    assert stored(event) == ("customer.updated", "supervisor", "张伟")


def test_a_new_event_with_the_id_of_an_old_one_cannot_overwrite_it(event, role_users):
    impostor = AuditEvent(pk=event.pk, actor_label="x", action="customer.deleted")

    with pytest.raises(DatabaseError), transaction.atomic():
        impostor.save()

    assert stored(event) == ("customer.updated", "supervisor", "张伟")


def test_an_event_cannot_be_deleted(event):
    with pytest.raises(PermissionError, match="append-only"):
        event.delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize(
    "write",
    [
        lambda qs: qs.update(action="x"),
        lambda qs: qs.delete(),
        lambda qs: qs.filter(action="customer.updated").update(action="x"),
        lambda qs: qs.filter(action="customer.updated").delete(),
        lambda qs: qs.bulk_update(list(qs), ["action"]),
        lambda qs: qs.update_or_create(pk=qs.get().pk, defaults={"action": "x"}),
        lambda qs: qs._update({"action": "x"}),
        lambda qs: qs._raw_delete(qs.db),
    ],
    ids=["update", "delete", "filter-update", "filter-delete", "bulk_update", "update_or_create",
         "_update", "_raw_delete"],
)  # fmt: skip
def test_the_queryset_refuses_every_write(event, write):
    with pytest.raises(PermissionError, match="append-only"):
        write(AuditEvent.objects.all())

    assert stored(event) == ("customer.updated", "supervisor", "张伟")


def test_the_database_refuses_a_raw_update(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditevent SET action = %s WHERE id = %s", ["x", event.pk])

    assert stored(event) == ("customer.updated", "supervisor", "张伟")


def test_the_database_refuses_a_raw_delete_on_postgresql(event):
    # SQLite keeps DELETE possible: the test runner empties its tables with DELETE.
    refused = connection.vendor == "postgresql"
    raised = False
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    except DatabaseError as exc:
        raised = "append-only" in str(exc)

    assert raised is refused
    assert AuditEvent.objects.filter(pk=event.pk).exists() is refused


def test_the_triggers_of_migration_0002_are_installed():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger "
                "WHERE tgrelid = 'core_auditevent'::regclass AND NOT tgisinternal"
            )
            expected = ["core_auditevent_no_delete", "core_auditevent_no_update"]
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master "
                "WHERE type = 'trigger' AND tbl_name = 'core_auditevent'"
            )
            expected = ["core_auditevent_no_update"]
        assert sorted(row[0] for row in cursor.fetchall()) == expected


# --- append-only: admin ----------------------------------------------------------------------


@pytest.fixture
def superuser_client(django_user_model):
    root = django_user_model.objects.create_superuser("root", password="Kefu#2026-root")
    client = Client()
    client.force_login(root)
    return client


def test_the_admin_has_no_add_page_even_for_a_superuser(superuser_client):
    assert superuser_client.get("/admin/core/auditevent/add/").status_code == 403
    assert superuser_client.post("/admin/core/auditevent/add/", {"action": "x"}).status_code == 403
    assert AuditEvent.objects.count() == 0


def test_the_admin_change_page_is_read_only_even_for_a_superuser(superuser_client, event):
    url = f"/admin/core/auditevent/{event.pk}/change/"

    page = superuser_client.get(url)
    posted = superuser_client.post(url, {"action": "customer.deleted", "actor_label": "x"})

    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert 'name="_save"' not in page.content.decode()
    assert posted.status_code == 403
    assert stored(event) == ("customer.updated", "supervisor", "张伟")


def test_the_admin_refuses_delete_even_for_a_superuser(superuser_client, event):
    url = f"/admin/core/auditevent/{event.pk}/delete/"

    assert superuser_client.get(url).status_code == 403
    assert superuser_client.post(url, {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_admin_list_offers_no_bulk_delete(superuser_client, event):
    page = superuser_client.get("/admin/core/auditevent/")
    superuser_client.post(
        "/admin/core/auditevent/",
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )

    assert page.status_code == 200
    assert "delete_selected" not in page.content.decode()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


# --- append-only: API ------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_has_no_write_endpoint_for_audit_events(role_users, api_client_for, method, event):
    client = api_client_for(role_users["admin"])

    response = getattr(client, method)(
        "/api/core/audit", data={"action": "x"}, content_type="application/json"
    )

    assert response.status_code == 405
    assert stored(event) == ("customer.updated", "supervisor", "张伟")


def test_the_api_has_no_route_for_one_event(role_users, api_client_for, event):
    client = api_client_for(role_users["admin"])

    assert client.delete(f"/api/core/audit/{event.pk}").status_code == 404
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_openapi_schema_lists_only_reads_of_the_audit_log(role_users, api_client_for):
    schema = api_client_for(role_users["admin"]).get("/api/openapi.json").json()

    audit_paths = {p: ops for p, ops in schema["paths"].items() if "audit" in p}
    assert {p: sorted(ops) for p, ops in audit_paths.items()} == {"/api/core/audit": ["get"]}


# --- what is recorded ------------------------------------------------------------------------


def test_audit_record_keeps_who_when_what_and_which_object(role_users, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 25, 9, 30, tzinfo=SHANGHAI), tick=False)
    user = role_users["manager"]

    recorded = audit_record(
        actor=user, action="auth.account.unlocked", obj=role_users["agent"], data={"n": 3}
    )

    event = AuditEvent.objects.get(pk=recorded.pk)
    assert event.at == dt.datetime(2026, 11, 25, 9, 30, tzinfo=SHANGHAI)
    assert event.actor == user
    assert event.actor_label == "manager"
    assert event.action == "auth.account.unlocked"
    assert (event.object_type, event.object_id, event.object_repr) == (
        "core.user",
        str(role_users["agent"].pk),
        "agent",
    )
    assert event.data == {"n": 3}


def test_audit_record_masks_personal_numbers_in_every_value(role_users):
    recorded = audit_record(
        actor=role_users["supervisor"],
        action="customer.revealed",
        object_type="customers.customer",
        object_id="7",
        object_repr="张伟 110105197803150315 / 13911110001",
        changes={
            "mobile": ("13911110001", "+86 139 2222 0002"),
            "card": (None, "6288 8800 0000 0013"),
            "segment": ("standard", "gold"),
        },
        data={
            "document": "110105197803150315",
            "nested": {"cards": ["6288880000000013", 42], "on": dt.date(2026, 11, 25)},
            "amount": "3,256.18",
        },
    )

    event = AuditEvent.objects.get(pk=recorded.pk)
    assert event.object_repr == "张伟 1101**********0315 / 139****0001"
    assert event.changes == {
        "mobile": {"old": "139****0001", "new": "139****0002"},
        "card": {"old": None, "new": "628888******0013"},
        "segment": {"old": "standard", "new": "gold"},
    }
    assert event.data == {
        "document": "1101**********0315",
        "nested": {"cards": ["628888******0013", 42], "on": "2026-11-25"},
        "amount": "3,256.18",
    }


def test_audit_record_without_an_actor_is_the_system(time_machine):
    recorded = audit_record(actor=None, action="calendar.warned")

    assert (recorded.actor, recorded.actor_label) == (None, "system")


# --- who may read it: page and API -----------------------------------------------------------


@pytest.mark.parametrize("role", NON_READERS)
def test_the_audit_page_and_api_refuse_roles_without_audit_access(
    role, role_users, client_for, api_client_for, event
):
    user = role_users[role]

    page = client_for(user).get("/audit/")
    api = api_client_for(user).get("/api/core/audit")

    assert page.status_code == 403
    assert api.status_code == 403
    assert api["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("role", READERS)
def test_the_audit_page_and_api_are_open_to_supervisors_managers_and_admins(
    role, role_users, client_for, api_client_for, event
):
    user = role_users[role]
    bearer = api_client_for(user)  # creating its token is audited too

    page = client_for(user).get("/audit/")
    api = bearer.get("/api/core/audit", {"action": "customer."})

    assert page.status_code == 200
    assert [e.pk for e in page.context["page"]] == [
        e.pk for e in AuditEvent.objects.order_by("-at", "-id")
    ]
    assert api.status_code == 200
    assert [e["id"] for e in api.json()["results"]] == [event.pk]


def test_the_audit_page_sends_anonymous_visitors_to_sign_in(event):
    response = Client().get("/audit/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/audit/"


def test_the_audit_api_needs_authentication(event):
    assert Client().get("/api/core/audit").status_code == 401


# --- searching -------------------------------------------------------------------------------


@pytest.fixture
def history(role_users, time_machine):
    """Events on 24, 25 (late evening, Shanghai) and 26 November 2026."""

    def at(day, hour, minute, **kwargs):
        time_machine.move_to(dt.datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI))
        return audit_record(**kwargs)

    sup, man = role_users["supervisor"], role_users["manager"]
    return {
        "login": at(24, 9, 0, actor=sup, action="auth.login.succeeded", obj=sup),
        "customer": at(
            25, 23, 30, actor=man, action="customer.updated", object_type="customers.customer",
            object_id="7",
        ),
        "reveal": at(
            26, 0, 10, actor=sup, action="customer.revealed", object_type="customers.customer",
            object_id="8",
        ),
    }  # fmt: skip


def found_on_page(client, **params) -> list[int]:
    response = client.get("/audit/", params)
    assert response.status_code == 200
    return [e.pk for e in response.context["page"]]


def found_by_api(client, **params) -> list[int]:
    response = client.get("/api/core/audit", params)
    assert response.status_code == 200
    return [e["id"] for e in response.json()["results"]]


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({}, ["reveal", "customer", "login"]),
        ({"action": "customer."}, ["reveal", "customer"]),
        ({"action": "auth.login"}, ["login"]),
        ({"action": "login"}, []),  # a prefix, not a substring
        ({"actor": "manager"}, ["customer"]),
        ({"object_type": "customers.customer", "object_id": "8"}, ["reveal"]),
        ({"date_from": "2026-11-25", "date_to": "2026-11-25"}, ["customer"]),
        ({"date_from": "2026-11-26"}, ["reveal"]),
        ({"date_to": "2026-11-24"}, ["login"]),
        ({"actor": "supervisor", "date_from": "2026-11-24"}, ["reveal", "login"]),
    ],
)
def test_the_filters_find_exactly_the_matching_events(
    history, role_users, client_for, params, names
):
    # given a signed-in supervisor (a session: a new API token would add an event)
    client = client_for(role_users["supervisor"])
    expected = [history[name].pk for name in names]

    # when the page and the API are searched, then both find exactly the expected events
    assert found_on_page(client, **params) == expected
    assert found_by_api(client, **params) == expected


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "2026-02-30"}, "date_from"),
        ({"date_to": "yesterday"}, "date_to"),
        ({"date_from": "2026-11-26", "date_to": "2026-11-25"}, "date_to"),
    ],
)
def test_a_bad_date_on_the_page_is_a_form_error(history, role_users, client_for, params, field):
    response = client_for(role_users["supervisor"]).get("/audit/", params)

    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert '<p class="error">' in response.content.decode()
    assert list(response.context["page"]) == []  # no unfiltered rows beside the error


@pytest.mark.parametrize("params", [{"date_from": "2026-02-30"}, {"date_to": "yesterday"}])
def test_a_bad_date_in_the_api_is_a_field_error(role_users, api_client_for, params):
    response = api_client_for(role_users["supervisor"]).get("/api/core/audit", params)

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == list(params)
