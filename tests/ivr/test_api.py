"""IVR-12: the telephony platform's HTTP API, exactly as specified."""

import pytest

from kefu.core.models import AuditEvent
from kefu.ivr.models import Call

pytestmark = pytest.mark.django_db


@pytest.fixture
def platform(role_users, api_client_for):
    return api_client_for(role_users["telephony"])


def post(client, path, body=None):
    return client.post(path, body or {}, content_type="application/json")


def start(platform, caller="13911110001"):
    response = post(platform, "/api/ivr/calls", {"caller": caller, "called": "4008205555"})
    assert response.status_code == 201, response.content
    return response.json()


def test_a_call_starts_with_the_first_step(demo, platform):
    step = start(platform)

    assert set(step) == {"call_id", "node", "prompt", "collect", "action", "done"}
    assert step["node"] == "main:identify"
    assert "欢迎致电" in step["prompt"]
    assert step["collect"] == {
        "min_digits": 1,
        "max_digits": 18,
        "terminator": "#",
        "timeout_s": 15,
    }
    assert step["action"] is None and step["done"] is False
    call = Call.objects.get(pk=step["call_id"])
    assert (call.caller, call.called, call.channel) == ("13911110001", "4008205555", "api")


def test_keys_give_the_next_step_until_a_transfer_with_context(demo, platform):
    call_id = start(platform)["call_id"]
    url = f"/api/ivr/calls/{call_id}/input"

    post(platform, url, {"digits": "110105197803150315#"})
    step = post(platform, url, {"digits": "135790#"}).json()
    assert step["node"] == "services:menu"
    assert set(step) == {"call_id", "node", "prompt", "collect", "action", "done"}
    post(platform, url, {"digits": "2"})  # limits
    post(platform, url, {"digits": "*"})  # back
    response = post(platform, url, {"digits": "0"})

    assert response.status_code == 200
    step = response.json()
    assert step["done"] is True and step["collect"] is None
    action = step["action"]
    assert action["type"] == "transfer" and action["queue"] == "cards"
    context = action["context"]
    assert context["verified"] is True
    assert context["customer_id"] == demo["zhang"].pk
    assert context["customer_name"] == "张*"
    assert context["card_last4"] == "0013"
    assert context["reason"] == "agent_requested"
    assert context["last_function"] == "agent"
    assert "limits" in context["functions"]
    assert "limits:read" in context["path"]
    assert "135790" not in str(step) and "110105197803150315" not in str(step)


def test_an_empty_digits_string_is_a_timeout(demo, platform):
    call_id = start(platform)["call_id"]

    step = post(platform, f"/api/ivr/calls/{call_id}/input", {"digits": ""}).json()

    assert step["prompt"].startswith("您没有按键。")


@pytest.mark.parametrize(
    "digits,fragment",
    [("12a#", "0-9"), ("1" * 19 + "#", "19"), ("9" * 41, "40")],
)
def test_bad_keys_are_a_422_with_a_field_error_and_change_nothing(demo, platform, digits, fragment):
    call_id = start(platform)["call_id"]
    before = Call.objects.get(pk=call_id).steps

    response = post(platform, f"/api/ivr/calls/{call_id}/input", {"digits": digits})

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert errors[0]["field"] == "digits"
    assert fragment in errors[0]["message"]
    assert Call.objects.get(pk=call_id).steps == before
    # nothing already keyed is lost: the call goes on from where it was
    step = post(platform, f"/api/ivr/calls/{call_id}/input", {"digits": "110105197803150315#"})
    assert step.json()["node"] == "verify:password"


def test_missing_digits_is_a_422(demo, platform):
    call_id = start(platform)["call_id"]

    response = post(platform, f"/api/ivr/calls/{call_id}/input", {})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "digits"


def test_a_bad_caller_number_is_a_422(demo, platform):
    response = post(platform, "/api/ivr/calls", {"caller": "call me", "called": "4008205555"})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "caller"
    assert Call.objects.count() == 0


def test_an_unknown_call_is_a_404(demo, platform):
    for path in (
        "/api/ivr/calls/3f8c6a62-1d9b-4bb4-9f59-2a3d1cb7f111/input",
        "/api/ivr/calls/not-a-call/input",
    ):
        response = post(platform, path, {"digits": "1"})
        assert response.status_code == 404
    assert platform.get("/api/ivr/calls/3f8c6a62-1d9b-4bb4-9f59-2a3d1cb7f111").status_code == 404
    hangup = post(platform, "/api/ivr/calls/3f8c6a62-1d9b-4bb4-9f59-2a3d1cb7f111/hangup")
    assert hangup.status_code == 404 and hangup["Content-Type"] == "application/problem+json"


def test_input_after_hang_up_is_a_409(demo, platform):
    call_id = start(platform)["call_id"]
    post(platform, f"/api/ivr/calls/{call_id}/hangup")

    response = post(platform, f"/api/ivr/calls/{call_id}/input", {"digits": "1"})

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"


def test_hangup_returns_the_call_record(demo, platform):
    call_id = start(platform)["call_id"]
    post(platform, f"/api/ivr/calls/{call_id}/input", {"digits": "110105197803150315#"})

    response = post(platform, f"/api/ivr/calls/{call_id}/hangup")

    assert response.status_code == 200
    record = response.json()
    assert record["call_id"] == call_id
    assert record["status"] == "abandoned"
    assert record["hangup_node"] == "verify:password"
    assert record["caller"] == "139****0001"
    assert record["ended_at"] is not None and record["duration_s"] >= 0
    keys = [e["keys"] for e in record["events"] if e["keys"]]
    assert keys == ["1101**********0315"]
    assert record["events"][-1]["kind"] == "hangup"


def test_the_call_record_can_be_read(demo, platform):
    call_id = start(platform)["call_id"]

    record = platform.get(f"/api/ivr/calls/{call_id}").json()

    assert record["status"] == "active"
    assert record["node"] == "main:identify"
    assert record["verification"] == "none"


def test_a_supervisor_reads_call_records(demo, platform, role_users, api_client_for):
    call_id = start(platform)["call_id"]

    response = api_client_for(role_users["supervisor"]).get(f"/api/ivr/calls/{call_id}")

    assert response.status_code == 200


@pytest.mark.parametrize("role", ["agent", "supervisor", "admin", "partner"])
def test_staff_cannot_drive_calls_and_nothing_changes(
    demo, role, role_users, api_client_for, platform
):
    call_id = start(platform)["call_id"]
    client = api_client_for(role_users[role])
    steps = Call.objects.get(pk=call_id).steps
    audit = AuditEvent.objects.exclude(action__startswith="auth.").count()

    assert post(client, "/api/ivr/calls", {"caller": "13911110001"}).status_code == 403
    assert post(client, f"/api/ivr/calls/{call_id}/input", {"digits": "1"}).status_code == 403
    assert post(client, f"/api/ivr/calls/{call_id}/hangup").status_code == 403

    assert Call.objects.count() == 1
    call = Call.objects.get(pk=call_id)
    assert (call.steps, call.status) == (steps, "active")
    assert AuditEvent.objects.exclude(action__startswith="auth.").count() == audit


def test_an_agent_cannot_read_call_records(demo, platform, role_users, api_client_for):
    call_id = start(platform)["call_id"]

    response = api_client_for(role_users["agent"]).get(f"/api/ivr/calls/{call_id}")

    assert response.status_code == 403


def test_input_after_a_transfer_is_a_409_and_changes_nothing(demo, platform):
    call_id = start(platform, caller="13800000000")["call_id"]
    step = post(platform, f"/api/ivr/calls/{call_id}/input", {"digits": "9#"}).json()
    assert step["action"]["type"] == "transfer"
    steps = Call.objects.get(pk=call_id).steps

    response = post(platform, f"/api/ivr/calls/{call_id}/input", {"digits": "1"})

    assert response.status_code == 409
    assert response.json()["title"]
    assert Call.objects.get(pk=call_id).steps == steps


def test_without_a_token_the_api_is_refused_and_nothing_changes(demo, client, platform):
    call_id = start(platform)["call_id"]

    responses = [
        post(client, "/api/ivr/calls", {"caller": "13911110001"}),
        post(client, f"/api/ivr/calls/{call_id}/input", {"digits": "1"}),
        post(client, f"/api/ivr/calls/{call_id}/hangup"),
        client.get(f"/api/ivr/calls/{call_id}"),
    ]

    assert [r.status_code for r in responses] == [401, 401, 401, 401]
    assert Call.objects.count() == 1 and Call.objects.get().status == "active"


def test_a_caller_number_too_long_is_a_422_naming_the_field(demo, platform):
    response = post(platform, "/api/ivr/calls", {"caller": "1" * 25})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "caller"
    assert Call.objects.count() == 0


@pytest.mark.parametrize("cli", ["+8613911110001", "008613911110001", "8613911110001"])
def test_a_caller_number_with_a_country_prefix_is_the_registered_phone(demo, platform, cli):
    from kefu.ivr.models import PaymentCode

    call_id = start(platform, caller=cli)["call_id"]
    url = f"/api/ivr/calls/{call_id}/input"
    post(platform, url, {"digits": "110105197803150315#"})
    post(platform, url, {"digits": "135790#"})

    step = post(platform, url, {"digits": "6"}).json()

    assert "动态验证码是" in step["prompt"]
    assert PaymentCode.objects.count() == 1
    record = platform.get(f"/api/ivr/calls/{call_id}").json()
    assert record["caller"] == "139****0001"


def test_a_wrong_or_revoked_token_is_refused_and_nothing_changes(demo, platform, role_users):
    from django.test import Client

    from kefu.core.models import ApiToken
    from kefu.core.services import api_token_create, api_token_revoke

    call_id = start(platform)["call_id"]
    steps = Call.objects.get(pk=call_id).steps
    token, raw = api_token_create(user=role_users["telephony"], name="revoked")
    api_token_revoke(token=ApiToken.objects.get(pk=token.pk), by=None)
    prefix = raw.rsplit("_", 1)[0]

    for bearer in (raw, f"{prefix}_wrong-secret", "not-a-token"):
        client = Client(headers={"Authorization": f"Bearer {bearer}"})
        responses = [
            post(client, "/api/ivr/calls", {"caller": "13911110001"}),
            post(client, f"/api/ivr/calls/{call_id}/input", {"digits": "1"}),
            post(client, f"/api/ivr/calls/{call_id}/hangup"),
        ]
        assert [r.status_code for r in responses] == [401, 401, 401], bearer
        assert responses[0].json()["code"] == "unauthenticated"

    assert Call.objects.count() == 1
    call = Call.objects.get(pk=call_id)
    assert (call.steps, call.status) == (steps, "active")


def test_a_signed_in_staff_member_cannot_drive_calls(demo, platform, role_users, client):
    call_id = start(platform)["call_id"]
    client.force_login(role_users["supervisor"])
    steps = Call.objects.get(pk=call_id).steps

    started = client.post("/api/ivr/calls", {}, content_type="application/json")
    hung_up = client.post(f"/api/ivr/calls/{call_id}/hangup", content_type="application/json")

    # the session is accepted as a sign-in; the role lacks the telephony permission
    assert [started.status_code, hung_up.status_code] == [403, 403]
    assert started.json()["code"] == "permission_denied"
    assert Call.objects.count() == 1
    assert Call.objects.get(pk=call_id).steps == steps
