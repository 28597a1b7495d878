"""``kefu ivr check``: load and check every IVR flow file (and queues.yaml)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kefu.ivr.flowset import FlowError, describe, flows_dir, load_flows


class Command(BaseCommand):
    help = "IVR flows: `kefu ivr check [--dir DIR]` checks every flow file and queues.yaml."

    def add_arguments(self, parser):
        parser.add_argument("subcommand", choices=["check"], help="check: validate the flows")
        parser.add_argument(
            "--dir",
            dest="directory",
            default="",
            help="Flows directory to check (default: KEFU_IVR_FLOWS_DIR, the shipped flows).",
        )

    def handle(self, *args, subcommand, directory, **options):
        path = Path(directory) if directory else flows_dir()
        try:
            flowset = load_flows(path)
        except FlowError as exc:
            for problem in exc.problems:
                self.stderr.write(f"  {problem}")
            raise CommandError(
                f"{len(exc.problems)} problem(s) in the IVR flows in {path}; "
                "nothing was changed, calls keep running on the last good flows."
            ) from None
        for line in describe(flowset):
            self.stdout.write(f"  {line}")
        self.stdout.write(
            self.style.SUCCESS(
                f"OK: {len(flowset.flows)} flows and {len(flowset.queues)} queues in {path}."
            )
        )
