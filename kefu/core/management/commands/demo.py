"""``kefu demo``: migrate, load the demo data, print the demo accounts, optionally serve."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from kefu.callbacks.demo import demo_callbacks_load
from kefu.core.errors import KefuError
from kefu.core.roles import ROLE_BY_CODE
from kefu.customers import demo
from kefu.knowledge.demo import EDITOR_USERNAME as DEMO_EDITOR
from kefu.knowledge.demo import demo_knowledge_load
from kefu.tickets.demo import demo_tickets_load


class Command(BaseCommand):
    help = (
        "Set up a demonstration: apply migrations, load deterministic demo data (fixed "
        "customers, demo staff with the password Kefu#2026, bulk customers) and print the "
        "demo accounts. Safe to run again: nothing is duplicated."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed", type=int, default=1, help="Seed of the bulk customers (default 1)."
        )
        parser.add_argument(
            "--customers",
            type=int,
            default=demo.DEFAULT_CUSTOMERS,
            help=f"Bulk customers besides the fixed ones (default {demo.DEFAULT_CUSTOMERS}, "
            f"at most {demo.MAX_BULK_CUSTOMERS:,}).",
        )
        parser.add_argument("--serve", action="store_true", help="Serve Kefu afterwards.")
        parser.add_argument("--host", default="127.0.0.1", help="With --serve (127.0.0.1).")
        parser.add_argument("--port", type=int, default=8000, help="With --serve (8000).")

    def handle(self, *args, seed, customers, serve, host, port, **options):
        if not 0 <= customers <= demo.MAX_BULK_CUSTOMERS:
            raise CommandError(
                f"--customers must be between 0 and {demo.MAX_BULK_CUSTOMERS}, not {customers}."
            )
        if seed < 0:
            raise CommandError(f"--seed must be 0 or more, not {seed}.")
        call_command("migrate", interactive=False, verbosity=0)
        try:
            result = demo.demo_load(seed=seed, customers=customers, progress=True)
        except KefuError as exc:
            raise CommandError(exc.message) from exc
        kb = demo_knowledge_load(password=demo.DEMO_PASSWORD)
        self.stdout.write(
            f"Knowledge base: {kb.created} articles added, {kb.updated} updated, "
            f"{kb.unchanged} unchanged; knowledge editor: {DEMO_EDITOR} / {demo.DEMO_PASSWORD}"
        )
        callbacks = demo_callbacks_load()
        self.stdout.write(
            f"Callbacks: {callbacks.projects} running projects, {callbacks.listed} customers "
            "listed; the large transfer of 赵磊 waits on the desk of callback."
        )
        tickets = demo_tickets_load()
        self.stdout.write(
            f"Tickets: {tickets.teams} teams with routes (complaints → 投诉组, technical faults "
            f"→ 技术型客服 → 技术部), {tickets.tickets} example tickets."
        )
        self._report(result)
        if serve:
            call_command("serve", host=host, port=port, with_worker=True)

    def _report(self, result: demo.DemoResult) -> None:
        out = self.stdout
        if result.bulk_created:
            out.write(
                f"Bulk customers: {result.bulk_created:,} added in {result.bulk_seconds:.1f} s "
                f"({result.rate:,.0f} customers/second); "
                f"{result.bulk_requested:,} in all, plus {result.fixed_customers} fixed."
            )
        else:
            out.write(
                f"Bulk customers: all {result.bulk_requested:,} already present; "
                f"{result.fixed_customers} fixed customers put back in their demo state."
            )
        out.write("")
        out.write("Demo accounts (passwords are reset on every run):")
        rows = [("username", "role", "角色", "password")]
        with translation.override("en"):
            for staff in result.staff:
                label = str(ROLE_BY_CODE[staff.role].label)
                rows.append((staff.username, label, staff.role_zh, demo.DEMO_PASSWORD))
            label = str(ROLE_BY_CODE["telephony"].label)
        rows.append((demo.TELEPHONY_USERNAME, label, demo.TELEPHONY_ROLE_ZH, "(API token below)"))
        widths = [max(_width(row[i]) for row in rows) for i in range(4)]
        for row in rows:
            out.write("  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip())
        out.write("")
        out.write("Telephony API token (a new one on every run; earlier demo tokens are revoked):")
        out.write(result.telephony_token)


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
