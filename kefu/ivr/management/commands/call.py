"""``kefu call --caller 13911110001``: call the hotline from a terminal (IVR-12).

Prompts are printed; type the keys and press Enter. An empty line means you pressed
nothing before the timeout; ``h`` (or end of input, Ctrl+D) hangs up. The call runs through
the same services and engine as the telephony API and is recorded like any call.
"""

from __future__ import annotations

import getpass
import sys

from django.core.management.base import BaseCommand, CommandError

from kefu.core.errors import KefuError
from kefu.ivr import services
from kefu.ivr.models import Call

HANG_UP = {"h", "hangup", "q", "quit"}


class Command(BaseCommand):
    help = "Call the self-service hotline from the terminal: prompts printed, keys typed."

    def add_arguments(self, parser):
        parser.add_argument("--caller", default="13911110001", help="Calling number (CLI).")
        parser.add_argument("--called", default="4008205555", help="Hotline number dialled.")

    def _say(self, step) -> None:
        self.stdout.write(f"\n[{step.node}] {step.prompt}")
        if step.collect:
            c = step.collect
            term = f"，以{c['terminator']}结束" if c["terminator"] else ""
            digits = f"{c['min_digits']}–{c['max_digits']}"
            self.stdout.write(f"  (按键 {digits} 位{term}；直接回车 = 超时未按键；h = 挂机)")

    def _read(self, *, secret: bool) -> str:
        """A line of keys; a password is typed without echo when at a terminal."""
        if secret and sys.stdin.isatty():
            try:
                return getpass.getpass("> (密码不回显) ") + "\n"
            except EOFError:
                return ""
        self.stdout.write("> ", ending="")
        self.stdout.flush()
        return sys.stdin.readline()

    def handle(self, *args, caller, called, **options):
        try:
            step = services.call_start(
                caller=caller, called=called, channel=Call.Channel.TERMINAL, by=None
            )
        except KefuError as exc:
            raise CommandError(exc.message) from None
        call_id = step.call_id
        self._say(step)
        while not step.done:
            line = self._read(secret=step.secret)
            if line == "" or line.strip().lower() in HANG_UP:
                call = services.call_hangup(call_id=call_id, by=None)
                self.stdout.write(f"\n挂机。通话记录 {call.pk}（{call.get_status_display()}）")
                return
            keys = "".join(line.split())
            step = services.call_input(call_id=call_id, digits=keys, by=None, strict=False)
            self._say(step)
        action = step.action or {}
        if action.get("type") == "transfer":
            self.stdout.write(f"\n已转接人工队列 {action.get('queue')}。通话记录 {call_id}")
        else:
            self.stdout.write(f"\n通话结束。通话记录 {call_id}")
