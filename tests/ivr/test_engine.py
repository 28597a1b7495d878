"""The engine: digit collection, timeouts, retries, invalid keys, prompts, sub-flows."""

import pytest

from kefu.core.errors import Conflict, NotFound, ValidationFailed
from kefu.ivr import prompts
from kefu.ivr.engine import check_digits
from kefu.ivr.models import Call, CallEvent

pytestmark = pytest.mark.django_db


def test_prompt_filters_read_amounts_dates_and_tails_naturally():
    text = "{a|cny}，{u|usd}，{d|date}，{m|month}，{t|tail}，{c|digits}"

    rendered = prompts.render(
        text,
        {"a": "3256.18", "u": "7000", "d": "2026-10-23", "m": "2026-10", "t": "0013", "c": "042"},
    )

    assert rendered == "人民币3,256.18元，7,000.00美元，2026年10月23日，2026年10月，尾号0013，0 4 2"


def test_a_timeout_reprompts_and_the_third_ends_the_call_politely(demo, phone):
    p = phone()

    p.press("")
    assert p.prompt.startswith("您没有按键。")
    assert p.node == "main:identify"
    p.press("")
    p.press("")

    assert p.step.done is True
    assert p.step.action == {"type": "hangup"}
    assert "感谢您的来电，再见" in p.prompt
    call = p.call
    assert call.status == Call.Status.FINISHED
    kinds = list(call.events.values_list("kind", flat=True))
    assert kinds.count("timeout") == 3


def test_an_invalid_entry_reprompts_and_counts_as_a_try(demo, phone):
    p = phone()
    p.press("110105197803150315#")

    p.press("12#")  # too short for a password

    assert p.prompt.startswith("您的输入有误。")
    assert p.node == "verify:password"
    event = p.call.events.filter(kind="invalid").get()
    assert event.keys == "**"


def test_an_invalid_menu_key_reprompts(demo, phone):
    p = phone()
    p.verify_by_id()

    p.press("*")  # not an option of this menu

    assert p.node == "services:menu"
    assert p.prompt.startswith("您的输入有误。")


def test_retries_exhausted_in_a_submenu_go_where_the_flow_says(demo, phone):
    p = phone()
    p.verify_by_id()
    p.press("2")  # limits
    assert p.node == "limits:after"

    p.keys("", "", "")

    assert p.node == "services:menu"


@pytest.mark.parametrize("digits", ["12a#", "１２", "1 2", "#;", None])
def test_non_dtmf_keys_are_refused_with_a_field_error(digits):
    with pytest.raises(ValidationFailed) as info:
        check_digits(digits, node=None)

    assert list(info.value.errors) == ["digits"]


def test_more_keys_than_the_prompt_collects_are_refused_and_change_nothing(demo, phone):
    p = phone()
    before = p.call

    with pytest.raises(ValidationFailed) as info:
        p.press("1101051978031503151#")  # 19 digits and #: the prompt takes 18 + #

    assert "19" in info.value.errors["digits"][0] and "20" in info.value.errors["digits"][0]
    after = p.call
    assert (after.steps, after.state) == (before.steps, before.state)


@pytest.mark.parametrize("keys", ["abc", "1" * 25 + "#"])
def test_people_at_the_simulator_get_a_reprompt_for_bad_keys(demo, phone, keys):
    p = phone()

    p.press(keys, strict=False)

    assert p.prompt.startswith("您的输入有误。")
    assert p.node == "main:identify"


def test_input_after_hang_up_is_a_conflict_and_an_unknown_call_not_found(demo, phone):
    p = phone()
    p.hang_up()

    with pytest.raises(Conflict):
        p.press("1")
    with pytest.raises(NotFound):
        type(p).press(type("X", (), {"call_id": "0" * 32, "by": None, "heard": []})(), "1")


def test_hang_up_anywhere_records_where_and_is_idempotent(demo, phone):
    p = phone()
    p.press("110105197803150315#")

    call = p.hang_up()

    assert call.status == Call.Status.ABANDONED
    assert call.hangup_node == "verify:password"
    assert call.ended_at is not None
    again = p.hang_up()
    assert again.ended_at == call.ended_at
    assert CallEvent.objects.filter(call=call, kind="hangup").count() == 1


def test_every_node_is_recorded_with_a_timestamp_in_order(demo, phone):
    p = phone()
    p.verify_by_id()
    p.press("2")

    events = list(p.call.events.order_by("seq"))

    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    entered = [e.node for e in events if e.kind == "enter"]
    assert entered[:3] == ["main:welcome", "main:identify", "main:verify_by_id"]
    assert "limits:read" in entered
    assert all(e.at is not None for e in events)
    assert p.call.functions == ["limits"]


def _card_data():
    from kefu.customers.models import Card, CardAccount, Transaction

    return (
        list(Card.objects.order_by("pk").values()),
        list(CardAccount.objects.order_by("pk").values()),
        Transaction.objects.count(),
    )


ID, PASSWORD = "110105197803150315#", "135790#"


@pytest.mark.parametrize(
    "setup,keys,where",
    [
        ([], [], "main:identify"),
        ([], [ID], "verify:password"),
        ([ID, PASSWORD], ["1", "4"], "bills:ask_month"),
        ([], ["2#", ID, PASSWORD], "lost:confirm"),
        ([], ["4#", "6288880000000047#", "0531#"], "activation:ask_id6"),
        ([ID, PASSWORD], ["3", "1", "582046#"], "passwords:query_confirm"),
        ([ID, PASSWORD], ["5", "2"], "autopay:cancel_confirm"),
        ([ID, PASSWORD], ["4"], "delivery:menu"),
        (
            [ID, PASSWORD, "3", "2", "480261#", "480261#", "*", "*"],
            ["7", "480261#", "3000#"],
            "cash:confirm",
        ),
        ([ID, PASSWORD], ["0"], "queue:cards"),
    ],
)
def test_a_hang_up_anywhere_is_recorded_there_and_leaves_nothing_half_done(
    demo, phone, setup, keys, where
):
    p = phone()
    p.keys(*setup)
    before = _card_data()
    p.keys(*keys)

    call = p.hang_up()

    assert call.status == Call.Status.ABANDONED
    assert call.hangup_node == where
    assert call.events.order_by("-seq").first().kind == "hangup"
    assert _card_data() == before
    with pytest.raises(Conflict):
        p.press("1")


def test_a_hang_up_after_the_ivr_ended_the_call_changes_nothing(demo, phone):
    p = phone()
    p.keys("", "", "")  # three timeouts: the IVR says goodbye and ends the call
    ended = p.call

    call = p.hang_up()

    assert (call.status, call.ended_at, call.hangup_node) == ("finished", ended.ended_at, "")
    assert not call.events.filter(kind="hangup").exists()


# --- the engine on its own, with a small flow set (no database) ------------------------------

TINY_MAIN = """\
flow: main
start: hello
defaults:
  collect: {timeout_s: 5, retries: 2}
  on_exhausted: bye
nodes:
  hello:
    type: say
    prompt: 你好。
    next: pick
  pick:
    type: input
    prompt: 请输入1到3。
    collect: {min_digits: 1, max_digits: 1}
    check: digits
    into: choice
    next: route
  route:
    type: switch
    var: choice
    cases: {"1": ask, "2": "sub:"}
    default: bye
  ask:
    type: subflow
    flow: sub
    next: ok_said
    on_fail: fail_said
  ok_said:
    type: say
    prompt: 子流程成功。
    next: pick
  fail_said:
    type: say
    prompt: 子流程失败。
    next: pick
  bye:
    type: hangup
    prompt: 再见。
"""

TINY_SUB = """\
flow: sub
start: question
defaults:
  collect: {timeout_s: 5, retries: 2}
  on_exhausted: bad
nodes:
  question:
    type: menu
    prompt: 成功请按1，失败请按2。
    options: {"1": good, "2": bad}
  good:
    type: return
    outcome: ok
  bad:
    type: return
    outcome: fail
"""

TINY_QUEUES = """\
queues:
  cards:
    label: 人工
    closed_prompt: 暂停服务。
    overflow_prompt: 繁忙。
"""


class TinyCall:
    """What the engine reads and writes of a call, without a database row."""

    pk = "tiny"
    caller = "13911110001"
    customer = None

    def __init__(self):
        self.flow, self.node, self.state, self.functions, self.last_function = "", "", {}, [], ""


@pytest.fixture
def tiny(tmp_path):
    from kefu.ivr.flowset import load_flows

    (tmp_path / "main.yaml").write_text(TINY_MAIN, encoding="utf-8")
    (tmp_path / "sub.yaml").write_text(TINY_SUB, encoding="utf-8")
    (tmp_path / "queues.yaml").write_text(TINY_QUEUES, encoding="utf-8")
    flows = load_flows(tmp_path)
    call = TinyCall()

    def request(digits=None):
        """One request, by a fresh engine that knows only what the call row keeps."""
        import datetime as dt

        from kefu.ivr.engine import Engine

        engine = Engine(flows=flows, call=call, by=None, now=dt.datetime.now(dt.UTC))
        outcome = engine.start() if digits is None else engine.press(digits)
        call.state = engine.state()
        return outcome

    return request


def test_the_engine_plays_says_until_a_node_waits_for_keys(tiny):
    outcome = tiny()

    assert outcome.step.prompt == "你好。请输入1到3。"
    assert outcome.step.node == "main:pick"
    assert outcome.step.collect == {
        "min_digits": 1, "max_digits": 1, "terminator": None, "timeout_s": 5
    }  # fmt: skip
    assert [e["kind"] for e in outcome.events] == ["enter", "enter"]


@pytest.mark.parametrize("key,said", [("1", "子流程成功。"), ("2", "子流程失败。")])
def test_a_sub_flow_returns_to_next_or_on_fail(tiny, key, said):
    tiny()
    assert tiny("1").step.node == "sub:question"

    outcome = tiny(key)

    assert outcome.step.prompt == said + "请输入1到3。"
    assert outcome.step.node == "main:pick"
    assert outcome.step.done is False


def test_a_switch_takes_the_case_of_the_variable_or_its_default(tiny):
    tiny()

    outcome = tiny("3")

    assert outcome.step.done is True and outcome.step.action == {"type": "hangup"}
    assert outcome.ended == "finished" and outcome.step.prompt == "再见。"


def test_a_return_outside_any_sub_flow_goes_back_to_the_main_flow(tiny):
    tiny()
    assert tiny("2").step.node == "sub:question"  # entered directly, not as a sub-flow

    outcome = tiny("1")

    assert outcome.step.node == "main:pick" and outcome.step.prompt == "你好。请输入1到3。"


def test_wrong_keys_count_as_tries_and_the_last_goes_to_on_exhausted(tiny):
    tiny()

    first = tiny("x")
    second = tiny("")

    assert first.step.prompt == "您的输入有误。请输入1到3。"
    assert second.step.done is True and second.step.prompt.endswith("再见。")
    assert [e["kind"] for e in second.events][:2] == ["timeout", "exhausted"]


# --- a failure in the middle of a request ----------------------------------------------------


def _core_banking_down(monkeypatch, method):
    from kefu.customers.adapter import LocalCoreBanking

    def down(self, **kwargs):
        raise RuntimeError("core banking unreachable")

    monkeypatch.setattr(LocalCoreBanking, method, down)


def test_a_failure_mid_request_undoes_it_and_offers_an_agent(demo, phone, monkeypatch):
    from kefu.customers.models import Card

    p = phone()
    p.press("2#")
    p.verify_by_id()
    assert p.node == "lost:confirm"
    _core_banking_down(monkeypatch, "request_replacement")  # after the card is blocked

    step = p.press("1")

    assert "系统繁忙" in step.prompt and step.node == "main:system_busy"
    assert step.done is False and step.collect is not None
    # the half-done report was undone: the card is not blocked without its replacement
    assert Card.objects.get(pk=demo["zhang_card"].pk).status == Card.Status.ACTIVE
    assert Card.objects.filter(holder=demo["zhang"]).count() == 1
    error = p.call.events.get(kind="error")
    assert (error.node, error.data["error"]) == ("lost:confirm", "RuntimeError")

    step = p.press("0")
    assert step.action["type"] == "transfer" and step.action["context"]["reason"] == "system_error"
    assert step.action["context"]["verified"] is True


def test_a_failure_is_not_recovered_over_a_call_another_request_moved_on(demo, phone, monkeypatch):
    """The recovery runs in a transaction of its own: if the call is no longer where the
    failure happened, the error is raised instead of sending the caller back."""
    from kefu.ivr import services

    p = phone()
    p.press("2#")
    p.verify_by_id()
    _core_banking_down(monkeypatch, "request_replacement")
    locked = services._active_call
    reads = []

    def moved_on(call_id):
        call = locked(call_id)
        reads.append(call.node)
        if len(reads) == 2:  # the recovery's read: another request got there first
            call.node = "menu"
        return call

    monkeypatch.setattr(services, "_active_call", moved_on)

    with pytest.raises(RuntimeError, match="core banking unreachable"):
        p.press("1")
    assert not p.call.events.filter(kind="error").exists()


def test_a_step_is_one_transaction_and_a_password_reads_the_card_once(demo, phone):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    p = phone()
    p.press("110105197803150315#")
    with CaptureQueriesContext(connection) as password_step:
        p.press("135790#")
    with CaptureQueriesContext(connection) as menu_step:
        p.press("1")

    def verbs(queries):
        return [q["sql"].split()[0] + " " + q["sql"].split()[1] for q in queries]

    assert p.node == "bills:menu"
    # the test's own transaction makes the step's transaction a savepoint: one, no more
    assert verbs(menu_step.captured_queries)[0].startswith("SAVEPOINT")
    for step in (password_step, menu_step):
        assert sum(v.startswith("SAVEPOINT") for v in verbs(step.captured_queries)) == 1
    card_reads = [q for q in password_step.captured_queries if "customers_card" in q["sql"]]
    assert len(card_reads) == 1 and card_reads[0]["sql"].startswith("SELECT")


def test_a_failure_is_logged_without_the_callers_keys(demo, phone, monkeypatch, caplog):
    p = phone()
    _core_banking_down(monkeypatch, "check_query_password")
    p.press("110105197803150315#")

    p.press("135790#")

    assert p.node == "main:system_busy"
    assert "core banking unreachable" in caplog.text
    assert "135790" not in caplog.text and "110105197803150315" not in caplog.text


def test_the_api_answers_a_failure_with_a_step_not_a_500(
    demo, monkeypatch, role_users, api_client_for
):
    client = api_client_for(role_users["telephony"])
    call_id = client.post(
        "/api/ivr/calls", {"caller": "13911110001"}, content_type="application/json"
    ).json()["call_id"]
    _core_banking_down(monkeypatch, "cards_of_customer")

    response = client.post(
        f"/api/ivr/calls/{call_id}/input",
        {"digits": "110105197803150315#"},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["node"] == "main:system_busy"
