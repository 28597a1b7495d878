"""Workbench pages: new ticket from the 360 page and from a transferred call, the ticket page
and its actions, my work, the floor, statistics with the Excel export, the survey page."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from kefu.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_the_360_page_offers_a_new_ticket_and_lists_tickets(
    role_users, client_for, create, customer
):
    t = create(role_users["agent"])

    html = client_for(role_users["agent"]).get(f"/customers/{customer.pk}/").content.decode()

    assert f'href="/tickets/new/{customer.pk}/"' in html
    assert f'href="/tickets/{t.pk}/"' in html  # on the contact timeline
    qa_html = client_for(role_users["qa"]).get(f"/customers/{customer.pk}/").content.decode()
    assert 'id="new-ticket"' not in qa_html


def test_new_ticket_form_creates_once_even_when_sent_twice(role_users, client_for, customer):
    client = client_for(role_users["agent"])
    page = client.get(f"/tickets/new/{customer.pk}/")
    key = page.context["form"].initial["idempotency_key"]
    data = {"channel": "hotline", "content": "我的卡丢了，要挂失", "idempotency_key": key}

    first = client.post(f"/tickets/new/{customer.pk}/", data)
    second = client.post(f"/tickets/new/{customer.pk}/", data)

    ticket = Ticket.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/tickets/{ticket.pk}/"
    assert (ticket.category, ticket.owner) == ("card_loss", role_users["agent"])


def test_a_bad_form_keeps_what_was_typed(role_users, client_for, customer):
    client = client_for(role_users["agent"])

    with translation.override("en"):
        response = client.post(
            f"/tickets/new/{customer.pk}/",
            {
                "channel": "hotline",
                "content": "客户说的话",
                "contact_phone": "abc",
                "idempotency_key": "k1",
            },
        )

    assert response.status_code == 400
    assert "客户说的话" in response.content.decode()
    assert "contact_phone" in response.context["form"].errors
    assert Ticket.objects.count() == 0


def test_the_suggestion_partial_shows_the_words(role_users, client_for):
    response = client_for(role_users["agent"]).post(
        "/tickets/suggest/", {"content": "我要投诉年费"}, HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert 'data-kind="complaint"' in html and "<mark>投诉</mark>" in html
    assert "<mark>年费</mark>" in html
    # the type and category by name, not by code
    from kefu.tickets.classification import Category, Kind

    assert f'data-kind="complaint">{Kind.COMPLAINT.label}</span>' in html
    assert f'data-category="fees">{Category.FEES.label}</span>' in html


def test_a_ticket_from_a_transferred_call_is_linked_to_it(role_users, client_for, customer):
    from django.utils import timezone

    from kefu.ivr.models import Call, QueueEntry

    call = Call.objects.create(
        flow="main", node="transfer", customer=customer, transfer_queue="general"
    )
    QueueEntry.objects.create(
        call=call,
        queue="general",
        customer=customer,
        status="answered",
        answered_by=role_users["agent"],
        answered_at=timezone.now(),
    )
    client = client_for(role_users["agent"])

    page = client.get(f"/tickets/new/{customer.pk}/")
    assert page.context["call"] == call
    response = client.post(
        f"/tickets/new/{customer.pk}/",
        {
            "channel": "hotline",
            "content": "转人工：咨询分期",
            "idempotency_key": "k2",
            "ivr_call": str(call.pk),
        },
    )

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert (ticket.ivr_call, ticket.channel) == (call, "ivr_transfer")
    assert client.get(f"/tickets/new/{customer.pk}/").context["call"] is None  # used


def test_the_ticket_page_shows_clocks_history_and_actions(role_users, client_for, create):
    t = create(role_users["agent"], content="客户卡号6288880000000013无法使用")

    response = client_for(role_users["agent"]).get(f"/tickets/{t.pk}/")

    html = response.content.decode()
    assert "628888******0013" in html and "6288880000000013" not in html
    assert 'data-clock="resolution"' in html
    assert 'id="action-answer"' in html and 'id="action-assess"' not in html
    complaint = create(role_users["agent"], content="我要投诉")
    agent_html = client_for(role_users["agent"]).get(f"/tickets/{complaint.pk}/").content.decode()
    handler_html = client_for(role_users["supervisor"]).get(f"/tickets/{complaint.pk}/")
    assert 'id="action-assess"' not in agent_html  # needs the complaint handler's permission
    assert 'id="action-assess"' in handler_html.content.decode()
    assert "ticket.created" in html


def test_an_action_through_htmx_swaps_the_panel(role_users, client_for, create):
    t = create(role_users["agent"])
    client = client_for(role_users["agent"])

    response = client.post(
        f"/tickets/{t.pk}/act/answer/", {"answer-result": "账单日为每月5日"}, HTTP_HX_REQUEST="true"
    )
    refused = client.post(
        f"/tickets/{t.pk}/act/answer/", {"answer-result": "再答一次"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert 'data-status="resolved"' in response.content.decode()
    assert refused.status_code == 409
    t.refresh_from_db()
    assert t.result == "账单日为每月5日"


def test_a_missing_required_value_is_shown_on_the_form(role_users, client_for, create):
    t = create(role_users["agent"])

    response = client_for(role_users["agent"]).post(
        f"/tickets/{t.pk}/act/answer/", {"answer-result": ""}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 400
    forms = {t.action: form for t, form in response.context["actions"]}
    assert "result" in forms["answer"].errors


def test_another_agent_cannot_open_or_act(role_users, client_for, create, make_user):
    t = create(role_users["agent"])
    stranger = client_for(make_user("stranger", "agent"))

    assert stranger.get(f"/tickets/{t.pk}/").status_code == 404
    assert (
        stranger.post(f"/tickets/{t.pk}/act/add_note/", {"add_note-note": "x"}).status_code == 404
    )
    assert not t.events.filter(action="ticket.add_note").exists()


def test_my_work_query_count_does_not_grow_with_tickets(role_users, client_for, create):
    client = client_for(role_users["agent"])
    create(role_users["agent"])
    client.get("/tickets/")

    with CaptureQueriesContext(connection) as one:
        client.get("/tickets/")
    for _i in range(5):
        create(role_users["agent"])
    with CaptureQueriesContext(connection) as six:
        response = client.get("/tickets/")

    assert len(six) == len(one)
    assert len(response.context["tickets"]) == 6


def test_floor_and_statistics_are_for_supervisors(role_users, client_for, create, act, floor):
    t = create(role_users["agent"], content="我要投诉态度差")
    act(t, "assess", role_users["complaint"], severity="general", urgency="normal", pboc_cause="01")

    assert client_for(role_users["agent"]).get("/tickets/floor/").status_code == 403
    assert client_for(role_users["agent"]).get("/tickets/statistics/").status_code == 403
    supervisor = client_for(role_users["supervisor"])
    assert supervisor.get("/tickets/floor/").status_code == 200
    page = supervisor.get("/tickets/statistics/?date_from=2026-11-01&date_to=2026-11-30")
    assert page.status_code == 200
    cause = page.context["by_dimension"]["cause"]
    assert [(r.month, r.code, r.received) for r in cause] == [("2026-11", "01", 1)]

    export = supervisor.get(
        "/tickets/statistics/?date_from=2026-11-01&date_to=2026-11-30&format=xlsx"
    )

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(export.content))
    assert wb.sheetnames == ["业务办理渠道", "业务类别", "投诉原因"]
    rows = list(wb["投诉原因"].iter_rows(values_only=True))
    assert rows[1][1].startswith("01 ") and rows[2][:2] == ("2026-11", 1)


def test_statistics_refuse_a_backwards_period(role_users, client_for):
    response = client_for(role_users["supervisor"]).get(
        "/tickets/statistics/?date_from=2026-11-30&date_to=2026-11-01"
    )

    assert response.status_code == 400


def test_the_survey_link_works_once(role_users, client, create, act):
    from kefu.tickets.services import survey_send

    t = create(role_users["agent"])
    t = act(t, "answer", role_users["agent"], result="已答复")
    _survey, token = survey_send(ticket=t, channel="sms")

    assert client.get(f"/tickets/s/{token}/").status_code == 200
    bad = client.post(f"/tickets/s/{token}/", {"score": "9"})
    answered = client.post(f"/tickets/s/{token}/", {"score": "5", "comment": "很好"})
    again = client.get(f"/tickets/s/{token}/")

    assert bad.status_code == 400
    assert answered.status_code == 200
    assert again.status_code == 404
    t.refresh_from_db()
    assert (t.status, t.satisfaction_score, t.satisfaction_comment) == ("closed", 5, "很好")
    assert client.get("/tickets/s/not-a-token/").status_code == 404


def test_attachments_upload_and_download(role_users, client_for, create, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    t = create(role_users["agent"])
    client = client_for(role_users["agent"])

    client.post(
        f"/tickets/{t.pk}/attachments/",
        {"file": SimpleUploadedFile("来信.txt", "客户来信内容".encode())},
    )

    attachment = t.attachments.get()
    response = client.get(f"/tickets/attachments/{attachment.pk}/")
    assert b"".join(response.streaming_content).decode() == "客户来信内容"
    assert t.events.filter(action="ticket.attachment_added").exists()
    from kefu.core.models import AuditEvent

    opened = AuditEvent.objects.get(action="tickets.attachment.downloaded")
    assert (opened.actor, opened.data["ticket"]) == (role_users["agent"], t.pk)


def test_the_history_reads_as_words_and_masks_personal_numbers(
    role_users, client_for, create, act, floor
):
    from kefu.tickets.models import Status
    from kefu.tickets.workflow import TRANSITIONS

    complaint = create(role_users["agent"], content="我要投诉，年费乱收")
    t = create(role_users["agent"])
    act(t, "answer", role_users["agent"], result="退还卡号6288880000000013年费，回电13911110001")
    client = client_for(role_users["agent"])

    page = client.get(f"/tickets/{t.pk}/")
    routed = client.get(f"/tickets/{complaint.pk}/")

    html = page.content.decode()
    assert "6288880000000013" not in html and "13911110001" not in html
    answer = next(e for e in page.context["events"] if e.action == "ticket.answer")
    assert answer.label == str(TRANSITIONS["answer"].label)
    assert answer.changes[0][1:] == (str(Status.REGISTERED.label), str(Status.RESOLVED.label))
    assert answer.changes[1][2] == "退还卡号628888******0013年费，回电139****0001"
    hop = next(e for e in routed.context["events"] if e.action == "ticket.routed")
    assert ("—", "投诉组") in [change[1:] for change in hop.changes]
    assert ("0", "1") not in [change[1:] for change in hop.changes]  # the route position


# --- refusals: the wrong user is refused and nothing changes -------------------------------------


def test_a_stranger_cannot_upload_to_or_download_from_a_ticket(
    role_users, client_for, create, make_user, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kefu.tickets.services import attachment_add

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    t = create(role_users["agent"])
    kept = attachment_add(
        ticket=t, by=role_users["agent"], upload=SimpleUploadedFile("来信.txt", b"letter")
    )
    stranger = client_for(make_user("stranger", "agent"))

    upload = stranger.post(
        f"/tickets/{t.pk}/attachments/", {"file": SimpleUploadedFile("x.txt", b"x")}
    )
    download = stranger.get(f"/tickets/attachments/{kept.pk}/")

    assert (upload.status_code, download.status_code) == (404, 404)
    assert list(t.attachments.values_list("name", flat=True)) == ["来信.txt"]
    assert stranger.get("/tickets/attachments/999999/").status_code == 404
    from kefu.core.models import AuditEvent

    assert not AuditEvent.objects.filter(action="tickets.attachment.downloaded").exists()


@pytest.mark.parametrize("role", ["qa", "manager", "admin"])
def test_roles_that_do_not_record_tickets_cannot_open_the_new_ticket_form(
    role, role_users, client_for, customer
):
    client = client_for(role_users[role])

    page = client.get(f"/tickets/new/{customer.pk}/")
    sent = client.post(
        f"/tickets/new/{customer.pk}/",
        {"channel": "hotline", "content": "我要投诉", "idempotency_key": "k9"},
    )
    suggestion = client.post("/tickets/suggest/", {"content": "我要投诉"})

    assert (page.status_code, sent.status_code, suggestion.status_code) == (403, 403, 403)
    assert Ticket.objects.count() == 0


def test_qa_reads_a_ticket_but_is_offered_and_allowed_no_action(role_users, client_for, create):
    t = create(role_users["agent"])
    qa = client_for(role_users["qa"])

    page = qa.get(f"/tickets/{t.pk}/")
    refused = qa.post(f"/tickets/{t.pk}/act/answer/", {"answer-result": "已答复"})

    assert page.status_code == 200 and 'id="ticket-actions"' not in page.content.decode()
    assert refused.status_code == 403
    t.refresh_from_db()
    assert (t.status, t.result) == ("registered", "")


def test_search_finds_only_what_the_agent_may_see(role_users, client_for, create, make_user):
    from tests.factories import CustomerFactory

    mine = create(role_users["agent"], content="咨询大额存单利率")
    stranger = make_user("stranger", "agent")
    theirs = create(stranger, content="咨询大额存单", customer=CustomerFactory())
    client = client_for(role_users["agent"])

    by_words = client.get("/tickets/search/", {"q": "大额存单"})
    by_reference = client.get("/tickets/search/", {"q": theirs.reference})

    assert [t.pk for t in by_words.context["tickets"]] == [mine.pk]
    assert by_reference.context["tickets"] == []


def test_marking_notifications_read_touches_only_ones_own(role_users, client_for, create, act):
    from kefu.tickets.models import Notification

    t = create(role_users["agent"])
    act(t, "escalate", role_users["agent"], reason="客户要求主管回电")
    mine = Notification.objects.create(recipient=role_users["agent"], kind="x", message="m")
    page = client_for(role_users["agent"]).get("/tickets/")
    assert mine in page.context["notifications"]

    response = client_for(role_users["agent"]).post("/tickets/notifications/read/")

    assert response.status_code == 302
    assert Notification.objects.get(pk=mine.pk).read_at is not None
    assert not Notification.objects.filter(
        recipient=role_users["supervisor"], read_at__isnull=False
    ).exists()


def test_the_page_offers_hand_over_actions_only_to_whom_they_concern(
    role_users, client_for, create, act, floor
):
    t = create(role_users["agent"])

    def offered(user):
        page = client_for(user).get(f"/tickets/{t.pk}/")
        return {transition.action for transition, _form in page.context["actions"]}

    before = offered(role_users["agent"])
    act(t, "hand_over", role_users["agent"], to_user_id=floor["agent2"].pk, reason="下班交接")

    assert "hand_over" in before and "accept_handover" not in before and "take" not in before
    assert "merge" not in before and "request_review" not in before
    assert {"accept_handover", "decline_handover"} <= offered(floor["agent2"])
    assert not {"accept_handover", "decline_handover", "hand_over"} & offered(role_users["agent"])


def test_a_refused_action_keeps_its_error_on_the_page(role_users, client_for, create):
    t = create(role_users["agent"])

    response = client_for(role_users["agent"]).post(
        f"/tickets/{t.pk}/act/accept_handover/", {}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 409
    forms = {transition.action: form for transition, form in response.context["actions"]}
    assert forms["accept_handover"].non_field_errors()
    assert Ticket.objects.get(pk=t.pk).owner == role_users["agent"]


def test_the_floor_shows_every_team_and_what_is_about_to_breach(
    role_users, client_for, create, floor, frozen_now
):
    from kefu.tickets.models import Status
    from kefu.tickets.services import sla_sweep
    from tests.factories import CustomerFactory
    from tests.tickets.conftest import at

    late = create(floor["agent2"], channel="email")
    complaint = create(role_users["agent"], content="我要投诉", customer=CustomerFactory())
    frozen_now.move_to(at("2026-11-24 12:30"))
    sla_sweep()
    client = client_for(role_users["supervisor"])
    client.get("/tickets/floor/")

    with CaptureQueriesContext(connection) as queries:
        page = client.get("/tickets/floor/")
    for _i in range(3):
        create(role_users["agent"], channel="letter", customer=CustomerFactory())
    with CaptureQueriesContext(connection) as more:
        client.get("/tickets/floor/")

    summary = page.context["summary"]
    registered = str(Status.REGISTERED.label)
    assert summary["by_team"]["投诉组"] == {registered: 1}
    assert summary["breached"] == 2  # the email's first response, the desk's hand-over
    assert {(c.ticket_id, c.name) for c in page.context["clocks"]} >= {
        (late.pk, "first_response"),
        (complaint.pk, "handover"),
    }
    assert len(more) == len(queries)


def test_statistics_show_the_default_period_in_the_date_fields(role_users, client_for):
    html = client_for(role_users["supervisor"]).get("/tickets/statistics/").content.decode()

    assert 'value="2026-06-01"' in html and 'value="2026-11-24"' in html


def test_a_bad_form_keeps_the_time_received(role_users, client_for, customer):
    response = client_for(role_users["agent"]).post(
        f"/tickets/new/{customer.pk}/",
        {
            "channel": "letter",
            "content": "来信",
            "received_at": "2026-11-20T09:30",
            "contact_phone": "abc",
            "idempotency_key": "k3",
        },
    )

    assert response.status_code == 400
    assert 'value="2026-11-20T09:30"' in response.content.decode()


def test_asking_by_sms_texts_a_one_time_link_and_logs_no_secret(
    role_users, client, create, act, caplog, django_capture_on_commit_callbacks, settings
):
    import logging
    import re

    from tests.core.test_sms import RecordingSender

    settings.KEFU_SMS_SENDER = "tests.core.test_sms.RecordingSender"
    RecordingSender.sent.clear()
    t = create(role_users["agent"])
    t = act(t, "answer", role_users["agent"], result="已答复")

    with caplog.at_level(logging.INFO, logger="kefu.sms"):
        with django_capture_on_commit_callbacks(execute=True):
            act(t, "request_satisfaction", role_users["agent"], channel="sms")

    [(to, text, secrets)] = RecordingSender.sent
    assert to == "13911110001"
    link = re.search(r"/tickets/s/[\w-]+/", text).group(0)
    assert secrets and secrets[0] in link
    assert secrets[0] not in caplog.text  # the recording sender logs as the default one does
    assert "139****0001" in caplog.text and "13911110001" not in caplog.text
    assert client.post(link, {"score": "4"}).status_code == 200
    assert client.post(link, {"score": "1"}).status_code == 404
    t.refresh_from_db()
    assert (t.status, t.satisfaction_score) == ("closed", 4)


def test_a_closed_ticket_is_not_called_a_closed_account():
    from kefu.tickets.models import Status

    with translation.override("zh-hans"):
        assert str(Status.CLOSED.label) != "已销户"


def test_clocks_show_their_state_and_forward_is_offered_only_with_a_next_step(
    role_users, client_for, create, act, floor
):
    t = create(role_users["agent"], content="手机银行一直闪退，登录不了")
    t = act(t, "make_case", role_users["agent"], case_event="APP闪退", case_phone="13911110001")
    tech = client_for(role_users["tech"])

    page = tech.get(f"/tickets/{t.pk}/")
    act(t, "forward", role_users["tech"], note="转技术部")
    last_step = client_for(floor["engineer"]).get(f"/tickets/{t.pk}/")

    html = page.content.decode()
    assert 'data-clock="first_response"' in html
    first = html[html.index('data-clock="first_response"') :]
    assert 'data-state="met"' in first[: first.index("</tr>")]
    offered = {transition.action for transition, _form in page.context["actions"]}
    at_the_end = {transition.action for transition, _form in last_step.context["actions"]}
    assert "forward" in offered and "forward" not in at_the_end


def test_my_work_and_the_floor_refresh_as_fragments(role_users, client_for, create):
    t = create(role_users["agent"])

    rows = client_for(role_users["agent"]).get("/tickets/", HTTP_HX_REQUEST="true")
    floor_body = client_for(role_users["supervisor"]).get("/tickets/floor/", HTTP_HX_REQUEST="true")

    rows_html = rows.content.decode()
    assert rows_html.lstrip().startswith("<") and "<html" not in rows_html
    assert 'id="my-work-table"' in rows_html and f'href="/tickets/{t.pk}/"' in rows_html
    floor_html = floor_body.content.decode()
    assert 'id="floor-body"' in floor_html and "<html" not in floor_html


def _allowed():
    from kefu.tickets import workflow

    return sorted(
        (kind, source, t.action)
        for t in workflow.TRANSITIONS.values()
        for kind in ("inquiry", "complaint")
        for source in t.sources
        if workflow.allowed(t.action, status=source, kind=kind)
    )


@pytest.mark.parametrize("kind,source,action", _allowed())
def test_no_action_form_answers_a_server_error_to_empty_or_garbled_input(
    kind, source, action, role_users, client_for, create, floor
):
    from kefu.tickets.services import params_of

    t = create(role_users["agent"], kind=kind)
    Ticket.objects.filter(pk=t.pk).update(status=source)
    client = client_for(role_users["supervisor"])
    garbled = {f"{action}-{name}": "x <script>'99999999999999999999" for name in params_of(action)}

    empty = client.post(f"/tickets/{t.pk}/act/{action}/", {}, HTTP_HX_REQUEST="true")
    bad = client.post(f"/tickets/{t.pk}/act/{action}/", garbled, HTTP_HX_REQUEST="true")

    assert empty.status_code in (200, 400, 403, 409), empty.content[:500]
    assert bad.status_code in (200, 400, 403, 409), bad.content[:500]
    assert "<script>" not in bad.content.decode()  # echoed back escaped, if at all


def test_only_the_requester_is_offered_to_withdraw_a_hand_over(
    role_users, client_for, create, act, floor
):
    t = create(role_users["agent"])
    act(t, "hand_over", role_users["agent"], to_user_id=floor["agent2"].pk, reason="下班交接")

    def offered(user):
        page = client_for(user).get(f"/tickets/{t.pk}/")
        return {transition.action for transition, _form in page.context["actions"]}

    assert "cancel_handover" in offered(role_users["agent"])
    assert "cancel_handover" not in offered(floor["agent2"])


def test_search_and_the_api_list_pin_their_query_count(
    role_users, client_for, api_client_for, create
):
    page = client_for(role_users["agent"])
    api = api_client_for(role_users["agent"])
    create(role_users["agent"], content="咨询分期")
    page.get("/tickets/search/", {"q": "分期"})
    api.get("/api/tickets")

    with CaptureQueriesContext(connection) as search_one:
        page.get("/tickets/search/", {"q": "分期"})
    with CaptureQueriesContext(connection) as api_one:
        api.get("/api/tickets")
    for _i in range(4):
        create(role_users["agent"], content="咨询分期")
    with CaptureQueriesContext(connection) as search_five:
        found = page.get("/tickets/search/", {"q": "分期"})
    with CaptureQueriesContext(connection) as api_five:
        listed = api.get("/api/tickets")

    assert len(found.context["tickets"]) == 5 and listed.json()["count"] == 5
    assert (len(search_five), len(api_five)) == (len(search_one), len(api_one))


def test_the_further_extension_is_offered_only_to_those_who_approve_it(
    role_users, client_for, create, act, floor
):
    t = create(role_users["agent"], content="我要投诉年费")
    t = act(t, "assess", role_users["complaint"], severity="general", urgency="normal")

    def offered(user):
        page = client_for(user).get(f"/tickets/{t.pk}/")
        return {transition.action for transition, _form in page.context["actions"]}

    assert "extend" in offered(role_users["complaint"])
    t = act(t, "extend", role_users["complaint"], reason="需调取凭证", customer_notice="已告知")
    assert "extend" not in offered(role_users["complaint"])
    assert "extend" in offered(role_users["supervisor"])


def test_my_work_rows_show_the_ticket_its_customer_and_clocks_most_urgent_first(
    role_users, client_for, create, customer
):
    from kefu.tickets.models import Clock

    later = create(role_users["agent"])
    sooner = create(role_users["agent"], content="我要投诉态度差")
    sooner_clock = sooner.clocks.filter(state="running").order_by("due_at").first()
    Clock.objects.filter(ticket=later).update(due_at=sooner_clock.due_at + dt.timedelta(days=30))
    Clock.objects.filter(pk=sooner_clock.pk).update(breached_at=sooner_clock.due_at)

    page = client_for(role_users["agent"]).get("/tickets/")

    rows = page.context["tickets"]
    assert [r.pk for r in rows] == [sooner.pk, later.pk]
    html = page.content.decode()
    first = html[html.index(f'data-ticket="{sooner.pk}"') :]
    first = first[: first.index("</tr>")]
    assert sooner.reference in first and customer.name in first
    assert 'data-state="breached"' in first
    assert timezone.localtime(sooner_clock.due_at).strftime("%m-%d %H:%M") in first
    assert "投诉" in first  # the kind, in Chinese
    assert "负责人" in first  # the agent owns it (first contact)
