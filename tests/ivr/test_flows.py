"""IVR-1: flow files are checked at load; problems name the file, the line and the node."""

import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from kefu.ivr import flowset as flows
from kefu.ivr.flowset import FlowError, load_flows

SHIPPED = Path(settings.KEFU_IVR_FLOWS_DIR)


@pytest.fixture
def flow_dir(tmp_path):
    """A copy of the shipped flows to break."""
    target = tmp_path / "flows"
    shutil.copytree(SHIPPED, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems(directory: Path) -> list[str]:
    with pytest.raises(FlowError) as info:
        load_flows(directory)
    return info.value.problems


def test_every_shipped_flow_file_loads():
    flowset = load_flows(SHIPPED)

    assert set(flowset.flows) == {p.stem for p in flows.flow_files(SHIPPED)}
    assert {"main", "verify", "services", "bills", "limits", "passwords", "lost"} <= set(
        flowset.flows
    )
    assert {"cards", "applications", "travel", "complaints"} <= set(flowset.queues)
    for flow in flowset.flows.values():
        assert flow.start in flow.nodes


def test_a_target_to_a_missing_node_names_file_line_and_node(flow_dir):
    edit(flow_dir / "limits.yaml", 'options: {"1": read,', 'options: {"1": reed,')

    found = problems(flow_dir)

    assert len(found) == 1
    assert found[0].startswith("limits.yaml line ")
    assert "node 'after'" in found[0] and "'reed'" in found[0]


def test_an_unknown_node_type_and_a_misspelt_key_are_refused(flow_dir):
    edit(flow_dir / "limits.yaml", "    type: say\n", "    type: speak\n")
    edit(flow_dir / "paycode.yaml", "    prompt: 重新获取", "    promt: 重新获取")

    found = problems(flow_dir)

    assert any("limits.yaml" in p and "node 'say_all'" in p and "'speak'" in p for p in found)
    assert any("paycode.yaml" in p and "node 'after'" in p and "promt" in p for p in found)


def test_an_unknown_action_and_a_missing_outcome_are_refused(flow_dir):
    edit(flow_dir / "limits.yaml", "    run: limits\n", "    run: limitz\n")
    edit(
        flow_dir / "bills.yaml",
        "next: {ok: current_say, none: no_statement}",
        "next: {ok: current_say}",
    )

    found = problems(flow_dir)

    assert any("node 'read'" in p and "unknown action 'limitz'" in p for p in found)
    assert any("node 'current'" in p and "outcome(s) none" in p for p in found)


def test_digit_collection_settings_are_checked(flow_dir):
    edit(
        flow_dir / "verify.yaml",
        'collect: {min_digits: 6, max_digits: 6, terminator: "#"}',
        'collect: {min_digits: 7, max_digits: 6, terminator: "X", timeout_s: 0}',
    )

    found = " | ".join(problems(flow_dir))

    assert "node 'password'" in found
    assert "min_digits (7) is more than max_digits (6)" in found
    assert "terminator must be" in found
    assert "timeout_s" in found


def test_an_unknown_prompt_filter_is_refused(flow_dir):
    edit(flow_dir / "limits.yaml", "{cny_credit|cny}，可预借", "{cny_credit|yuan}，可预借")

    found = " | ".join(problems(flow_dir))

    assert "node 'say_all'" in found and "unknown filter 'yuan'" in found


def test_a_prompt_variable_nobody_sets_is_refused(flow_dir):
    edit(flow_dir / "limits.yaml", "{cny_credit|cny}，可预借", "{cny_credt|cny}，可预借")

    found = " | ".join(problems(flow_dir))

    assert "node 'say_all'" in found and "{cny_credt}" in found


def test_a_password_input_must_be_secret_and_used_at_once(flow_dir):
    edit(flow_dir / "verify.yaml", "    record: secret\n", "    record: plain\n")

    found = " | ".join(problems(flow_dir))

    assert "node 'password'" in found and "record: secret" in found


def test_a_key_given_twice_is_refused_with_its_line(flow_dir):
    edit(
        flow_dir / "limits.yaml",
        "  after:\n",
        "  read:\n    type: hangup\n    prompt: x\n  after:\n",
    )

    found = problems(flow_dir)

    assert any("limits.yaml line" in p and "'read' appears twice" in p for p in found)


def test_broken_yaml_names_the_file_and_line(flow_dir):
    (flow_dir / "extra.yaml").write_text("flow: extra\nnodes: [unclosed\n", encoding="utf-8")

    found = problems(flow_dir)

    assert found[0].startswith("extra.yaml line ")


def test_a_node_nothing_leads_to_is_refused(flow_dir):
    edit(
        flow_dir / "limits.yaml",
        "  after:\n",
        "  orphan:\n    type: hangup\n    prompt: 再见\n  after:\n",
    )

    found = problems(flow_dir)

    assert any("node 'orphan'" in p and "no other node leads here" in p for p in found)


def test_nodes_that_lead_to_each_other_without_waiting_are_refused(flow_dir):
    edit(
        flow_dir / "limits.yaml",
        "  after:\n",
        "  again:\n    type: say\n    prompt: 再说一遍\n    next: once_more\n"
        "  once_more:\n    type: say\n    prompt: 又一遍\n    next: again\n  after:\n",
    )
    edit(flow_dir / "limits.yaml", 'options: {"1": read,', 'options: {"1": again,')

    found = problems(flow_dir)

    assert len(found) == 1, found
    assert found[0].startswith("limits.yaml line ")
    assert "node 'again'" in found[0]
    assert "limits:again → limits:once_more → limits:again" in found[0]


def test_on_error_must_name_an_existing_node(flow_dir):
    edit(flow_dir / "main.yaml", "on_error: system_busy", "on_error: system_bsuy")

    found = problems(flow_dir)

    assert any(p.startswith("main.yaml: on_error: ") and "'system_bsuy'" in p for p in found)


def test_a_transfer_to_an_undeclared_queue_is_refused(flow_dir):
    edit(flow_dir / "main.yaml", "    queue: travel\n", "    queue: trips\n")

    found = " | ".join(problems(flow_dir))

    assert "main.yaml" in found and "node 'travel'" in found and "queue 'trips'" in found


def test_queue_hours_are_checked(flow_dir):
    edit(flow_dir / "queues.yaml", 'hours: "08:00-22:00"', 'hours: "22:00-08:00"')

    found = " | ".join(problems(flow_dir))

    assert "queues.yaml" in found and "'hours'" in found


def test_kefu_ivr_check_passes_on_the_shipped_flows(capsys):
    call_command("ivr", "check")

    assert "OK: " in capsys.readouterr().out


def test_kefu_ivr_check_lists_every_problem_and_fails(flow_dir, capsys):
    edit(flow_dir / "limits.yaml", 'options: {"1": read,', 'options: {"1": reed,')

    with pytest.raises(CommandError, match="1 problem"):
        call_command("ivr", "check", "--dir", str(flow_dir))

    assert "limits.yaml line" in capsys.readouterr().err


@pytest.mark.django_db
def test_an_edited_flow_file_takes_effect_without_a_restart(flow_dir, settings, demo, phone):
    settings.KEFU_IVR_FLOWS_DIR = str(flow_dir)
    flows.registry.clear()
    assert "欢迎致电" in phone().prompt

    edit(flow_dir / "main.yaml", "您好，欢迎致电", "您好，感谢致电")
    flows.registry._checked_at = 0.0

    assert "感谢致电" in phone().prompt
    flows.registry.clear()


@pytest.mark.django_db
def test_a_broken_edit_is_refused_and_calls_keep_the_last_good_flows(
    flow_dir, settings, demo, phone
):
    settings.KEFU_IVR_FLOWS_DIR = str(flow_dir)
    flows.registry.clear()
    phone()

    edit(flow_dir / "main.yaml", "您好，欢迎致电", "您好，{oops")
    flows.registry._checked_at = 0.0

    assert "欢迎致电" in phone().prompt
    flows.registry.clear()
