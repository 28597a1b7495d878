"""IVR-11 call records: the search page for supervisors, the record page, the 360 timeline."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.ivr.models import Call

pytestmark = pytest.mark.django_db


def test_every_call_is_recorded_whether_finished_or_abandoned(demo, phone):
    done = phone()
    done.keys("", "", "")  # ends politely after three timeouts
    gone = phone("13911110003")
    gone.press("*")
    gone.hang_up()

    finished, abandoned = Call.objects.get(pk=done.call_id), Call.objects.get(pk=gone.call_id)
    assert finished.status == "finished" and finished.hangup_node == ""
    assert abandoned.status == "abandoned" and abandoned.hangup_node == "verify:ask_card"
    assert finished.ended_at and abandoned.ended_at


def test_the_search_page_finds_calls_by_caller_number(demo, phone, role_users, client_for):
    phone().verify_by_id()
    phone("13911110003").hang_up()
    client = client_for(role_users["supervisor"])

    response = client.get("/ivr/calls/", {"caller": "13911110001"})

    table = response.content.decode().split('id="call-table"')[1]
    assert response.status_code == 200
    assert table.count("139****0001") == 1 and "139****0003" not in table
    assert "13911110001" not in table


def test_the_search_page_filters_by_status_and_verification(demo, phone, role_users, client_for):
    phone().verify_by_id()
    phone("13911110003").hang_up()
    client = client_for(role_users["supervisor"])

    abandoned = client.get("/ivr/calls/", {"status": "abandoned"}).content.decode()
    verified = client.get("/ivr/calls/", {"verification": "verified"}).content.decode()

    assert "139****0003" in abandoned and "139****0001" not in abandoned
    assert "139****0001" in verified and "139****0003" not in verified


def test_a_bad_search_explains_and_shows_nothing(demo, phone, role_users, client_for):
    phone().verify_by_id()

    response = client_for(role_users["supervisor"]).get(
        "/ivr/calls/", {"caller": "abc", "date_from": "2026-11-25", "date_to": "2026-11-01"}
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert 'class="error"' in html and "139****0001" not in html


def test_the_record_page_shows_the_path_with_masked_keys(demo, phone, role_users, client_for):
    p = phone()
    p.verify_by_id()
    p.press("2")

    html = client_for(role_users["supervisor"]).get(f"/ivr/calls/{p.call_id}/").content.decode()

    assert "verify:password" in html and "limits:read" in html
    assert "1101**********0315" in html and "******" in html
    assert "135790" not in html and "110105197803150315" not in html


def test_the_record_list_query_count_does_not_grow(demo, phone, role_users, client_for):
    client = client_for(role_users["supervisor"])
    phone().verify_by_id()
    client.get("/ivr/calls/")
    with CaptureQueriesContext(connection) as few:
        client.get("/ivr/calls/")
    for _ in range(5):
        phone().verify_by_id()
    with CaptureQueriesContext(connection) as many:
        client.get("/ivr/calls/")

    assert len(few) == len(many)


@pytest.mark.parametrize("role", ["agent", "callback", "tech", "partner"])
def test_call_records_are_for_supervisors_qa_and_managers(
    demo, phone, role, role_users, client_for
):
    p = phone()

    client = client_for(role_users[role])

    assert client.get("/ivr/calls/").status_code == 403
    assert client.get(f"/ivr/calls/{p.call_id}/").status_code == 403


@pytest.mark.parametrize("role", ["supervisor", "qa", "manager"])
def test_supervisors_qa_and_managers_read_call_records(demo, phone, role, role_users, client_for):
    p = phone()

    assert client_for(role_users[role]).get(f"/ivr/calls/{p.call_id}/").status_code == 200


def test_calls_appear_on_the_customer_360_timeline(demo, phone, role_users, client_for):
    p = phone()
    p.verify_by_id()
    p.keys("2", "*", "0")

    html = client_for(role_users["agent"]).get(f"/customers/{demo['zhang'].pk}/").content.decode()

    timeline = html.split('id="timeline"')[1].split("</section>")[0]
    assert "额度查询" in timeline and "信用卡人工服务" in timeline


def test_the_search_page_names_functions_and_queues_in_words(demo, phone, role_users, client_for):
    p = phone()
    p.verify_by_id()
    p.keys("2", "*", "0")

    html = client_for(role_users["supervisor"]).get("/ivr/calls/").content.decode()

    row = html.split('id="call-table"')[1]
    assert "额度查询、人工服务" in row and "信用卡人工服务" in row
    assert "limits" not in row
