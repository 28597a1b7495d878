"""IVR-12: one engine behind the terminal simulator and the keypad page (the API is in
test_api.py); call state in the database, so two server processes can share a call."""

import io
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from django.core.management import call_command

from kefu.ivr.models import Call

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_kefu_call_prints_prompts_and_reads_keys(demo, monkeypatch, capsys):
    keys = "110105197803150315#\n135790#\n2\nh\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(keys))

    call_command("call", "--caller", "13911110001")

    out = capsys.readouterr().out
    assert "欢迎致电" in out and "[main:identify]" in out
    assert "[verify:password]" in out
    assert "人民币可用额度为人民币42,000.00元" in out
    assert "挂机" in out
    call = Call.objects.get()
    assert (call.channel, call.status, call.verification) == ("terminal", "abandoned", "verified")
    assert call.hangup_node == "limits:after"


@pytest.mark.django_db
def test_kefu_call_treats_an_empty_line_as_a_timeout_and_bad_keys_as_a_wrong_entry(
    demo, monkeypatch, capsys
):
    monkeypatch.setattr(sys, "stdin", io.StringIO("\nabc\n\n"))

    call_command("call")

    out = capsys.readouterr().out
    assert "您没有按键。" in out and "您的输入有误。" in out
    assert "感谢您的来电，再见" in out and "通话结束" in out


@pytest.mark.django_db
def test_the_keypad_drives_only_the_users_own_calls(demo, role_users, client_for):
    supervisor = client_for(role_users["supervisor"])
    step = supervisor.post("/ivr/phone/calls/", {"caller": "13911110001"}).json()

    other = client_for(role_users["admin"]).post(
        f"/ivr/phone/calls/{step['call_id']}/input/",
        '{"digits": "1"}',
        content_type="application/json",
    )
    mine = supervisor.post(
        f"/ivr/phone/calls/{step['call_id']}/input/",
        '{"digits": "110105197803150315#"}',
        content_type="application/json",
    )

    assert other.status_code == 404
    assert mine.status_code == 200 and mine.json()["node"] == "verify:password"
    assert Call.objects.get().channel == "keypad"
    assert client_for(role_users["agent"]).get("/ivr/phone/").status_code == 403


@pytest.mark.django_db
def test_kefu_call_reads_a_password_without_echo_at_a_terminal(demo, monkeypatch, capsys):
    import getpass

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    hidden = []

    def no_echo(prompt=""):
        hidden.append(prompt)
        return "135790#"

    monkeypatch.setattr(sys, "stdin", Terminal("110105197803150315#\nh\n"))
    monkeypatch.setattr(getpass, "getpass", no_echo)

    call_command("call", "--caller", "13911110001")

    assert len(hidden) == 1  # the query password, and only it
    out = capsys.readouterr().out
    assert "[services:menu]" in out and "135790" not in out
    assert Call.objects.get().verification == "verified"


@pytest.mark.django_db
def test_the_keypad_says_when_the_keys_are_a_password(demo, role_users, client_for):
    supervisor = client_for(role_users["supervisor"])
    first = supervisor.post("/ivr/phone/calls/", {"caller": "13911110001"}).json()

    step = supervisor.post(
        f"/ivr/phone/calls/{first['call_id']}/input/",
        '{"digits": "110105197803150315#"}',
        content_type="application/json",
    ).json()

    assert (first["secret"], first["node"]) == (False, "main:identify")
    assert (step["secret"], step["node"]) == (True, "verify:password")


@pytest.mark.django_db
def test_the_keypad_refuses_a_bad_caller_number_naming_the_field(demo, role_users, client_for):
    response = client_for(role_users["supervisor"]).post(
        "/ivr/phone/calls/", {"caller": "call me", "called": "4008205555"}
    )

    assert response.status_code == 422
    body = response.json()
    assert body["title"] and list(body["errors"]) == ["caller"]
    assert Call.objects.count() == 0


@pytest.mark.django_db
def test_bad_keys_on_the_keypad_are_a_wrong_entry_and_nothing_is_lost(demo, role_users, client_for):
    supervisor = client_for(role_users["supervisor"])
    call_id = supervisor.post("/ivr/phone/calls/", {"caller": "13911110001"}).json()["call_id"]
    url = f"/ivr/phone/calls/{call_id}/input/"
    supervisor.post(url, '{"digits": "110105197803150315#"}', content_type="application/json")

    step = supervisor.post(url, '{"digits": "12ab"}', content_type="application/json").json()

    assert step["prompt"].startswith("您的输入有误。") and step["node"] == "verify:password"
    step = supervisor.post(url, '{"digits": "135790#"}', content_type="application/json").json()
    assert step["node"] == "services:menu"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(port: int, proc: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server on {port} exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on {port} did not start")


SETUP = """
from django.contrib.auth.models import Group
from kefu.core.roles import sync_roles
from kefu.core.models import User
from kefu.core.services import api_token_create
from tests.factories import CardFactory, IdentityDocumentFactory
card = CardFactory(account__customer__name="张伟", account__customer__mobile="13911110001",
                   number="6288880000000013", with_query_password="135790")
IdentityDocumentFactory(customer=card.holder, number="110105197803150315")
sync_roles()
user = User.objects.create(username="telephony", kind="service")
user.groups.add(Group.objects.get(name="telephony"))
print("TOKEN=" + api_token_create(user=user, name="test")[1])
"""


def test_two_server_processes_serve_alternate_key_presses_of_one_call(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'two.sqlite3'}",
        "KEFU_DATA_DIR": str(tmp_path),
        "KEFU_DEBUG": "1",
        "KEFU_CARD_PASSWORD_TIME_COST": "1",
        "KEFU_CARD_PASSWORD_MEMORY_KIB": "8",
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "kefu.settings",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    kefu = [sys.executable, "-m", "kefu.cli"]
    subprocess.run([*kefu, "migrate", "-v", "0"], env=env, cwd=ROOT, check=True, timeout=300)
    out = subprocess.run(
        [*kefu, "shell", "-c", SETUP], env=env, cwd=ROOT, check=True, timeout=120,
        capture_output=True, text=True,
    ).stdout  # fmt: skip
    token = next(line[6:] for line in out.splitlines() if line.startswith("TOKEN="))
    ports = [_free_port(), _free_port()]
    servers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "kefu.asgi:application",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        for port in ports
    ]
    try:
        for port, proc in zip(ports, servers, strict=True):
            _wait(port, proc)
        headers = {"Authorization": f"Bearer {token}"}
        a, b = (
            httpx.Client(base_url=f"http://127.0.0.1:{p}", headers=headers, timeout=20)
            for p in ports
        )
        step = a.post("/api/ivr/calls", json={"caller": "13911110001"}).json()
        call = f"/api/ivr/calls/{step['call_id']}"
        nodes = [step["node"]]
        for client, digits in ((b, "110105197803150315#"), (a, "135790#"), (b, "2")):
            response = client.post(f"{call}/input", json={"digits": digits})
            assert response.status_code == 200, response.text
            nodes.append(response.json()["node"])
        record = a.post(f"{call}/hangup").json()
    finally:
        for proc in servers:
            proc.terminate()
        for proc in servers:
            proc.wait(timeout=20)

    assert nodes == ["main:identify", "verify:password", "services:menu", "limits:after"]
    assert record["verification"] == "verified" and record["status"] == "abandoned"
    assert record["functions"] == ["limits"]
