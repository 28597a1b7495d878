"""The ticket API: create (with idempotency), get, list, actions, refusals that change nothing."""

from __future__ import annotations

import json

import pytest

from kefu.tickets.models import Ticket, TicketEvent
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def post(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def test_create_returns_201_with_suggestion_and_clocks(role_users, api_client_for, customer):
    client = api_client_for(role_users["agent"])

    response = post(
        client,
        "/api/tickets",
        {
            "customer_id": customer.pk,
            "channel": "hotline",
            "content": "我要投诉，年费乱收费",
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["suggested_kind"], body["category"]) == (
        "complaint",
        "complaint",
        "fees",
    )
    assert body["suggestion"]["kind_terms"] == ["投诉", "乱收费"]
    assert {c["name"]: c["state"] for c in body["clocks"]} == {
        "first_response": "met",
        "resolution": "running",
    }
    resolution = next(c for c in body["clocks"] if c["name"] == "resolution")
    assert resolution["due_at"] == "2026-12-09T23:59:59+08:00"
    assert "assess" in body["actions"]


def test_a_retried_request_with_the_same_key_creates_one_ticket(
    role_users, api_client_for, customer
):
    client = api_client_for(role_users["agent"])
    body = {"customer_id": customer.pk, "channel": "chat", "content": "请问积分怎么兑换"}

    first = post(client, "/api/tickets", body, **{"Idempotency-Key": "abc-123"})
    again = post(client, "/api/tickets", body, **{"Idempotency-Key": "abc-123"})
    other = post(
        client, "/api/tickets", {**body, "content": "别的事"}, **{"Idempotency-Key": "abc-123"}
    )

    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 409)
    assert first.json()["id"] == again.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1
    assert other.json()["errors"][0]["field"] == "idempotency_key"


@pytest.mark.parametrize(
    "body,field",
    [
        ({"channel": "fax", "content": "x"}, "channel"),
        ({"channel": "hotline", "content": ""}, "content"),
        ({"channel": "hotline", "content": "x", "kind": "praise"}, "kind"),
        (
            {"channel": "hotline", "content": "x", "received_at": "2030-01-01T00:00:00+08:00"},
            "received_at",
        ),
        ({"channel": "hotline", "content": "x", "contact_phone": "call me"}, "contact_phone"),
        ({"channel": "hotline", "content": "a\u0000b"}, "content"),
        ({"channel": "hotline", "content": "x", "customer_id": 99999}, "customer_id"),
        ({"channel": "hotline", "content": "x", "status": "closed"}, "status"),
        ({"channel": "hotline", "content": "x", "owner_id": 1}, "owner_id"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(
    role_users, api_client_for, customer, body, field
):
    body = {"customer_id": customer.pk, **body}

    response = post(api_client_for(role_users["agent"]), "/api/tickets", body)

    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert field in [e["field"] for e in response.json()["errors"]]
    assert Ticket.objects.count() == 0


def test_a_deadline_in_an_unknown_year_is_refused_and_nothing_saved(
    role_users, api_client_for, customer, frozen_now
):
    from tests.tickets.conftest import at

    frozen_now.move_to(at("2026-12-28 10:00"))

    response = post(
        api_client_for(role_users["agent"]),
        "/api/tickets",
        {
            "customer_id": customer.pk,
            "channel": "hotline",
            "content": "我要投诉",
            "kind": "complaint",
        },
    )

    assert response.status_code == 422
    assert response.json()["code"] == "calendar_unknown_year"
    assert Ticket.objects.count() == 0


def test_a_letter_received_in_a_year_the_calendar_does_not_know_is_refused(
    role_users, api_client_for, customer
):
    response = post(
        api_client_for(role_users["agent"]),
        "/api/tickets",
        {
            "customer_id": customer.pk,
            "channel": "letter",
            "content": "来信投诉",
            "received_at": "2003-03-01T09:00:00+08:00",  # the calendar starts in 2004
        },
    )

    assert response.status_code == 422
    assert response.json()["code"] == "calendar_unknown_year"
    assert Ticket.objects.count() == 0


def test_actions_through_the_api_and_409_when_not_allowed(
    role_users, api_client_for, create, floor
):
    t = create(role_users["agent"], content="我要投诉客服态度恶劣")
    handler = api_client_for(role_users["complaint"])

    ok = post(
        handler, f"/api/tickets/{t.pk}/actions/assess", {"severity": "general", "urgency": "low"}
    )
    events = TicketEvent.objects.count()
    refused = post(handler, f"/api/tickets/{t.pk}/actions/archive", {})
    bad_param = post(handler, f"/api/tickets/{t.pk}/actions/assign", {"colour": "red"})
    field_edit = post(handler, f"/api/tickets/{t.pk}/actions/add_note", {"status": "closed"})

    assert ok.status_code == 200 and ok.json()["status"] == "assessed"
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["field"] == "action"
    assert (bad_param.status_code, bad_param.json()["errors"][0]["field"]) == (422, "colour")
    assert (field_edit.status_code, field_edit.json()["errors"][0]["field"]) == (422, "status")
    assert TicketEvent.objects.count() == events
    assert Ticket.objects.get(pk=t.pk).status == "assessed"


def test_an_agent_sees_own_and_team_tickets_only(
    role_users, api_client_for, create, floor, make_user
):
    mine = create(role_users["agent"])
    teammate = create(floor["agent2"])
    stranger = make_user("stranger", "agent")
    theirs = create(stranger, customer=CustomerFactory())
    client = api_client_for(role_users["agent"])

    listed = {r["id"] for r in client.get("/api/tickets").json()["results"]}

    assert listed == {mine.pk, teammate.pk}
    assert client.get(f"/api/tickets/{theirs.pk}").status_code == 404
    assert (
        post(client, f"/api/tickets/{theirs.pk}/actions/add_note", {"note": "x"}).status_code == 404
    )
    assert theirs.events.count() == 2 + 1  # created and two clocks: nothing added
    supervisor = api_client_for(role_users["supervisor"])
    assert supervisor.get("/api/tickets").json()["count"] == 3


def test_a_partner_department_sees_and_works_only_what_was_sent_to_it(
    role_users, api_client_for, client_for, create, act, floor
):
    """SEC-2: a member of a partner department (a team of kind "department") sees the
    tickets a route sent to their team, works them, and sees nothing else."""
    from kefu.tickets.models import TeamMember

    partner = role_users["partner"]
    TeamMember.objects.create(team=floor["dept"], user=partner, skills=["app"])
    fault = create(role_users["agent"], content="手机银行一直闪退，登录不了")
    fault = act(
        fault, "make_case", role_users["agent"], case_event="APP闪退", case_phone="13911110001"
    )
    other = create(role_users["agent"], customer=CustomerFactory())
    client = api_client_for(partner)

    assert client.get("/api/tickets").json()["count"] == 0  # nothing sent yet
    assert client.get(f"/api/tickets/{fault.pk}").status_code == 404
    act(fault, "forward", role_users["tech"], note="本地无法复现，转技术部")

    assert {r["id"] for r in client.get("/api/tickets").json()["results"]} == {fault.pk}
    assert client.get(f"/api/tickets/{fault.pk}").status_code == 200
    noted = post(client, f"/api/tickets/{fault.pk}/actions/add_note", {"note": "已定位，修复中"})
    assert noted.status_code == 200, noted.content
    assert client.get(f"/api/tickets/{other.pk}").status_code == 404
    events = other.events.count()
    assert (
        post(client, f"/api/tickets/{other.pk}/actions/add_note", {"note": "x"}).status_code == 404
    )
    assert other.events.count() == events
    page = client_for(partner).get(f"/tickets/{fault.pk}/")
    assert page.status_code == 200 and "已定位，修复中" in page.content.decode()


@pytest.mark.parametrize("role", ["qa", "manager", "partner", "telephony"])
def test_roles_that_do_not_record_tickets_cannot_create_them(
    role, role_users, api_client_for, customer
):
    response = post(
        api_client_for(role_users[role]),
        "/api/tickets",
        {"customer_id": customer.pk, "channel": "hotline", "content": "x"},
    )

    assert response.status_code == 403
    assert Ticket.objects.count() == 0


def test_qa_reads_but_cannot_act(role_users, api_client_for, create):
    t = create(role_users["agent"])
    qa = api_client_for(role_users["qa"])

    assert qa.get(f"/api/tickets/{t.pk}").status_code == 200
    assert post(qa, f"/api/tickets/{t.pk}/actions/add_note", {"note": "x"}).status_code == 403
    assert not t.events.filter(action="ticket.add_note").exists()


def test_search_by_reference_and_words(role_users, api_client_for, create):
    t = create(role_users["agent"], content="客户询问大额存单利率")
    create(role_users["agent"], content="别的问题")
    client = api_client_for(role_users["agent"])

    by_ref = client.get(f"/api/tickets?q={t.reference}").json()
    by_word = client.get("/api/tickets?q=大额存单").json()

    assert [r["id"] for r in by_ref["results"]] == [t.pk]
    assert [r["id"] for r in by_word["results"]] == [t.pk]


def test_history_lists_every_change(role_users, api_client_for, create):
    t = create(role_users["agent"])
    post(
        api_client_for(role_users["agent"]),
        f"/api/tickets/{t.pk}/actions/answer",
        {"result": "已答复"},
    )

    events = api_client_for(role_users["agent"]).get(f"/api/tickets/{t.pk}/events").json()

    answer = next(e for e in events if e["action"] == "ticket.answer")
    assert answer["by"] == "agent"
    assert answer["changes"]["status"] == {"old": "registered", "new": "resolved"}


def test_suggest_explains_itself(role_users, api_client_for):
    response = post(
        api_client_for(role_users["agent"]),
        "/api/tickets/suggest",
        {"text": "建议手机银行增加夜间模式"},
    )

    assert response.json()["kind"] == "suggestion"
    assert response.json()["kind_terms"] == ["建议"]
    assert response.json()["category_terms"] == ["手机银行"]


def test_ivr_satisfaction_needs_an_open_ivr_survey(role_users, api_client_for, create, act):
    t = create(role_users["agent"])
    t = act(t, "answer", role_users["agent"], result="已答复")
    ivr = api_client_for(role_users["telephony"])

    none_yet = post(ivr, f"/api/tickets/{t.pk}/ivr-satisfaction", {"score": 5})
    act(t, "request_satisfaction", role_users["agent"], channel="ivr")
    answered = post(ivr, f"/api/tickets/{t.pk}/ivr-satisfaction", {"score": 4})
    twice = post(ivr, f"/api/tickets/{t.pk}/ivr-satisfaction", {"score": 1})

    assert (none_yet.status_code, answered.status_code, twice.status_code) == (404, 200, 404)
    assert answered.json()["status"] == "closed"
    assert answered.json()["satisfaction_score"] == 4


def test_history_masks_personal_numbers(role_users, api_client_for, create, act):
    t = create(role_users["agent"])
    act(t, "answer", role_users["agent"], result="已退还卡号6288880000000013的年费")

    events = api_client_for(role_users["agent"]).get(f"/api/tickets/{t.pk}/events").json()

    answer = next(e for e in events if e["action"] == "ticket.answer")
    assert answer["changes"]["result"]["new"] == "已退还卡号628888******0013的年费"
    assert "6288880000000013" not in json.dumps(events)


# --- refusals: the wrong caller is refused and nothing changes ---------------------------------


def test_another_agents_history_is_not_found(role_users, api_client_for, create, make_user):
    t = create(role_users["agent"])

    response = api_client_for(make_user("stranger", "agent")).get(f"/api/tickets/{t.pk}/events")

    assert response.status_code == 404


def test_about_to_breach_lists_only_what_the_agent_may_see(
    role_users, api_client_for, create, make_user, frozen_now
):
    from kefu.tickets.services import sla_sweep
    from tests.tickets.conftest import at

    mine = create(role_users["agent"], channel="email")
    stranger = make_user("stranger", "agent")
    create(stranger, channel="email", customer=CustomerFactory())
    frozen_now.move_to(at("2026-11-24 12:30"))
    sla_sweep()

    listed = api_client_for(role_users["agent"]).get("/api/tickets/about-to-breach").json()
    floor = api_client_for(role_users["supervisor"]).get("/api/tickets/about-to-breach").json()

    assert [(r["ticket_id"], r["clock"], r["state"]) for r in listed] == [
        (mine.pk, "first_response", "breached")
    ]
    assert len(floor) == 2


@pytest.mark.parametrize("role", ["agent", "complaint", "qa"])
def test_complaint_statistics_are_refused_without_the_permission(role, role_users, api_client_for):
    response = api_client_for(role_users[role]).get(
        "/api/tickets/statistics?date_from=2026-11-01&date_to=2026-11-30"
    )

    assert response.status_code == 403


def test_an_agent_cannot_key_in_an_ivr_satisfaction_answer(role_users, api_client_for, create, act):
    t = create(role_users["agent"])
    t = act(t, "answer", role_users["agent"], result="已答复")
    act(t, "request_satisfaction", role_users["agent"], channel="ivr")

    response = post(
        api_client_for(role_users["agent"]), f"/api/tickets/{t.pk}/ivr-satisfaction", {"score": 1}
    )

    assert response.status_code == 403
    t.refresh_from_db()
    assert (t.status, t.satisfaction_score) == ("satisfaction", None)
    assert t.surveys.get().answered_at is None


@pytest.mark.parametrize("role", ["qa", "manager", "telephony"])
def test_the_suggestion_is_for_those_who_record_tickets(role, role_users, api_client_for):
    response = post(api_client_for(role_users[role]), "/api/tickets/suggest", {"text": "我要投诉"})

    assert response.status_code == 403


def test_without_a_token_nothing_is_listed_or_created(client, customer):
    listed = client.get("/api/tickets")
    created = post(
        client, "/api/tickets", {"customer_id": customer.pk, "channel": "hotline", "content": "x"}
    )

    assert (listed.status_code, created.status_code) == (401, 401)
    assert Ticket.objects.count() == 0


def test_list_filters_by_status_kind_channel_customer_and_period(
    role_users, api_client_for, create, act, customer, frozen_now
):
    from tests.tickets.conftest import at

    answered = act(create(role_users["agent"]), "answer", role_users["agent"], result="已答复")
    answered = act(answered, "close", role_users["agent"])
    complaint = create(role_users["agent"], content="我要投诉", channel="chat")
    other = create(role_users["agent"], customer=CustomerFactory())
    frozen_now.move_to(at("2026-11-26 10:00"))
    later = create(role_users["agent"], channel="email")
    client = api_client_for(role_users["agent"])

    def ids(query):
        response = client.get(f"/api/tickets?{query}")
        assert response.status_code == 200, response.content
        return {r["id"] for r in response.json()["results"]}

    assert ids("status=closed") == {answered.pk}
    assert ids("kind=complaint") == {complaint.pk}
    assert ids("channel=email") == {later.pk}
    assert ids(f"customer_id={customer.pk}&open_only=true") == {complaint.pk, later.pk}
    assert ids("received_from=2026-11-25") == {later.pk}
    assert ids("received_to=2026-11-24") == {answered.pk, complaint.pk, other.pk}
    assert client.get("/api/tickets?status=lost").status_code == 422


def test_a_request_racing_its_retry_still_creates_one_ticket(
    role_users, customer, create, monkeypatch
):
    """Two requests with the same key: the second passes the look-up before the first
    commits, then meets the unique constraint and answers with the first ticket."""
    from kefu.tickets.services import intake

    first = create(role_users["agent"], idempotency_key="race-1")
    real_replay = intake._replay
    calls = []

    def late_replay(**kwargs):
        calls.append(kwargs["key"])
        return None if len(calls) == 1 else real_replay(**kwargs)

    monkeypatch.setattr(intake, "_replay", late_replay)

    again, created = intake.ticket_create(
        by=role_users["agent"],
        customer=customer,
        channel="hotline",
        content="请问我的账单什么时候出",
        idempotency_key="race-1",
    )

    assert (again.pk, created, len(calls)) == (first.pk, False, 2)
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize("content", ["请问我的账单什么时候出", "我要投诉，年费乱收费"])
def test_the_created_ticket_answer_shows_the_same_clocks_as_reading_it_back(
    role_users, api_client_for, customer, floor, content
):
    client = api_client_for(role_users["agent"])

    body = {"customer_id": customer.pk, "channel": "letter", "content": content}
    created = post(client, "/api/tickets", body)

    assert created.status_code == 201, created.content
    read_back = client.get(f"/api/tickets/{created.json()['id']}")
    assert created.json()["clocks"] == read_back.json()["clocks"]
    assert created.json()["clocks"]  # a new ticket always has its clocks
