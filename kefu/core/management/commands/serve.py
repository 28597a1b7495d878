"""``kefu serve``: run Kefu under uvicorn (ASGI)."""

from __future__ import annotations

import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve Kefu over HTTP with uvicorn (several worker processes with --workers)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="Web processes. Use PostgreSQL when more than one.",
        )
        parser.add_argument(
            "--with-worker",
            action="store_true",
            help="Also run one background worker (kefu worker) beside the web server, "
            "stopped with it: the whole system in one command, as the demo does.",
        )
        parser.add_argument(
            "--no-migrate",
            action="store_true",
            help="Do not apply pending migrations before serving.",
        )

    def handle(self, *args, host, port, workers, no_migrate, with_worker=False, **options):
        import uvicorn

        if not 1 <= port <= 65535:
            raise CommandError(f"--port must be between 1 and 65535, not {port}.")
        if workers < 1:
            raise CommandError("--workers must be 1 or more.")
        # Refuse unsafe production settings (and demo accounts) before listening.
        call_command("check", deploy=not settings.DEBUG, fail_level="ERROR")
        if not no_migrate:
            call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(f"Kefu at http://{host}:{port}/  (workers: {workers}; Ctrl+C stops)")
        worker = None
        if with_worker:
            # A separate process: the worker's signal handling and blocking loop stay its own.
            worker = subprocess.Popen([sys.executable, "-m", "kefu.cli", "worker"])  # noqa: S603
            self.stdout.write(f"Background worker started (pid {worker.pid}).")
        try:
            self._run_uvicorn(uvicorn, host=host, port=port, workers=workers)
        finally:
            if worker is not None:
                worker.terminate()
                try:
                    worker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    worker.kill()

    def _run_uvicorn(self, uvicorn, *, host, port, workers):
        uvicorn.run(
            "kefu.asgi:application",
            host=host,
            port=port,
            workers=workers,
            log_level="info",
            proxy_headers=True,
        )
