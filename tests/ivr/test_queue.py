"""IVR-10: agent transfer with context, opening hours, holidays, overflow; the agent's queue
page (live, arrival order) and the screen pop."""

import pytest

from kefu.core.models import AuditEvent
from kefu.ivr import flowset
from kefu.ivr.models import Call, CallEvent, QueueEntry
from kefu.ivr.selectors import reason_label
from tests.factories import schedule_days

pytestmark = pytest.mark.django_db


def transfer(phone, caller="13911110001"):
    p = phone(caller)
    p.verify_by_id()
    p.press("0")
    return p


def test_the_queue_keeps_the_context_and_the_arrival_order(demo, phone):
    first = transfer(phone)
    second = phone("13911110003")
    second.verify_by_card("6288880000000039", "907531")
    second.press("0")

    entries = list(QueueEntry.objects.order_by("enqueued_at", "id"))

    assert [e.call_id for e in entries] == [first.call.pk, second.call.pk]
    context = entries[0].context
    assert context["verified"] is True and context["reason"] == "agent_requested"
    assert context["last_function"] == "agent"
    assert entries[0].customer == demo["zhang"]
    assert entries[1].customer == demo["wang"]


def test_the_travel_centre_is_closed_at_night_and_says_so(demo, phone, time_machine):
    time_machine.move_to("2026-11-25 23:30:00+08:00")
    p = phone()

    step = p.press("6#")

    assert step.done is False
    assert "服务时间为每天8点至22点" in p.prompt
    assert p.node == "main:identify"
    assert QueueEntry.objects.count() == 0
    event = CallEvent.objects.get(kind="transfer")
    assert event.data["result"] == "refused" and event.data["why"] == "closed"


def test_holiday_hours_apply_on_a_holiday(demo, phone, time_machine):
    from kefu.core.services import calendar_year_save

    calendar_year_save(
        year=2027,
        days=schedule_days(holidays=[("元旦", "2027-01-01", "2027-01-03")]),
        source="test",
        by=None,
    )
    time_machine.move_to("2027-01-01 19:00:00+08:00")  # open on working days, not holidays
    p = phone("13800000000")

    p.keys("3#", "1")

    assert "节假日期间" in p.prompt
    assert QueueEntry.objects.count() == 0


def test_a_full_queue_plays_the_overflow_message(demo, phone, settings, tmp_path):
    import shutil

    target = tmp_path / "flows"
    shutil.copytree(settings.KEFU_IVR_FLOWS_DIR, target)
    text = (target / "queues.yaml").read_text(encoding="utf-8")
    (target / "queues.yaml").write_text(
        text.replace("max_waiting: 200", "max_waiting: 1"), encoding="utf-8"
    )
    settings.KEFU_IVR_FLOWS_DIR = str(target)
    flowset.registry.clear()
    try:
        transfer(phone)
        p = transfer(phone)
    finally:
        flowset.registry.clear()

    assert "目前人工服务繁忙" in p.prompt
    assert p.node == "services:menu"
    assert QueueEntry.objects.count() == 1


def test_hanging_up_while_waiting_abandons_the_queue_entry(demo, phone):
    p = transfer(phone)

    call = p.hang_up()

    assert call.status == Call.Status.ABANDONED
    assert call.hangup_node == "queue:cards"
    assert QueueEntry.objects.get().status == QueueEntry.Status.ABANDONED


def test_the_agent_page_lists_waiting_calls_in_order(demo, phone, role_users, client_for):
    transfer(phone)
    transfer(phone, caller="13911110009")

    response = client_for(role_users["agent"]).get("/ivr/queue/rows/")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="queue-entry"') == 2
    # queue, reason and last function in words, not codes
    assert "信用卡人工服务" in html and "agent_requested" not in html
    assert reason_label("agent_requested") in html and "<td>人工服务</td>" in html
    assert html.index("139****0001") < html.index("139****0009")
    assert "13911110001" not in html


def test_answering_opens_the_customer_360_screen_pop(demo, phone, role_users, client_for):
    transfer(phone)
    entry = QueueEntry.objects.get()
    agent = role_users["agent"]

    client = client_for(agent)
    response = client.post(f"/ivr/queue/{entry.pk}/answer/")

    assert response.status_code == 302
    assert response["Location"] == f"/customers/{demo['zhang'].pk}/"
    # the customer page says what the hotline already knows
    page = client.get(response["Location"]).content.decode()
    banner = page.split('class="messages"')[1].split("</ul>")[0]
    assert "139****0001" in banner and "0013" in banner and "信用卡人工服务" in banner
    assert reason_label("agent_requested") in banner and "人工服务" in banner
    entry.refresh_from_db()
    assert (entry.status, entry.answered_by) == ("answered", agent)
    assert CallEvent.objects.filter(kind="answered").count() == 1
    audit = AuditEvent.objects.get(action="ivr.call.answered")
    assert (audit.actor, audit.object_id) == (agent, str(entry.call_id))
    assert audit.data["queue"] == "cards" and audit.data["customer"] == demo["zhang"].pk
    # the caller hangs up after talking to the agent: the call finished normally
    call = Call.objects.get(pk=entry.call_id)
    from kefu.ivr.services import call_hangup

    assert call_hangup(call_id=call.pk, by=None).status == Call.Status.FINISHED


def test_a_call_cannot_be_answered_twice(demo, phone, role_users, client_for):
    transfer(phone)
    entry = QueueEntry.objects.get()
    client_for(role_users["agent"]).post(f"/ivr/queue/{entry.pk}/answer/")

    response = client_for(role_users["complaint"]).post(f"/ivr/queue/{entry.pk}/answer/")

    assert response.status_code == 302 and response["Location"] == "/ivr/queue/"
    entry.refresh_from_db()
    assert entry.answered_by == role_users["agent"]
    assert AuditEvent.objects.filter(action="ivr.call.answered").count() == 1


def test_an_unverified_caller_opens_the_customer_search(demo, phone, role_users, client_for):
    phone("13800000000").press("9#")
    entry = QueueEntry.objects.get()

    response = client_for(role_users["agent"]).post(f"/ivr/queue/{entry.pk}/answer/")

    assert response["Location"] == "/customers/"


@pytest.mark.parametrize("role", ["callback", "tech", "qa", "partner"])
def test_roles_without_the_queue_cannot_see_or_answer(demo, phone, role, role_users, client_for):
    transfer(phone)
    entry = QueueEntry.objects.get()
    client = client_for(role_users[role])

    assert client.get("/ivr/queue/").status_code == 403
    assert client.post(f"/ivr/queue/{entry.pk}/answer/").status_code == 403
    entry.refresh_from_db()
    assert entry.status == QueueEntry.Status.WAITING
    assert not AuditEvent.objects.filter(action="ivr.call.answered").exists()


def test_stale_calls_are_closed_by_the_periodic_job(demo, phone, time_machine):
    from kefu.ivr.services import calls_close_stale

    time_machine.move_to("2026-11-25 10:00:00+08:00")
    p = phone()
    p.press("110105197803150315#")
    time_machine.move_to("2026-11-25 10:31:00+08:00")

    assert calls_close_stale() == 1

    call = p.call
    assert call.status == Call.Status.ABANDONED and call.hangup_node == "verify:password"


def test_the_queue_rows_query_count_does_not_grow(demo, phone, role_users, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(role_users["agent"])
    transfer(phone)
    client.get("/ivr/queue/rows/")
    with CaptureQueriesContext(connection) as few:
        client.get("/ivr/queue/rows/")
    for caller in ("13911110003", "13800000001", "13800000002"):
        p = phone(caller)
        p.press("9#")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/ivr/queue/rows/")

    assert response.content.decode().count('class="queue-entry"') == 4
    assert len(few) == len(many)
