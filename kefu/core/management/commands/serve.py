"""``kefu serve``: run Kefu under uvicorn (ASGI)."""

from __future__ import annotations

import socket
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
        run_uvicorn(host=host, port=port, workers=workers)


def run_uvicorn(*, host: str, port: int, workers: int, log_level: str = "info") -> None:
    """uvicorn serving kefu.asgi, with TCP_NODELAY on every connection also when there are
    several worker processes (see ``_listening_socket``)."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    if workers == 1:
        uvicorn.run(
            "kefu.asgi:application",
            host=host,
            port=port,
            log_level=log_level,
            proxy_headers=True,
        )
        return
    config = uvicorn.Config(
        "kefu.asgi:application",
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        proxy_headers=True,
    )
    try:
        Multiprocess(config, sockets=[_listening_socket(config)]).run()
    except KeyboardInterrupt:
        pass


def _listening_socket(config) -> socket.socket:
    """The socket uvicorn binds for its worker processes, marked as TCP.

    uvicorn creates it with protocol 0; accepted connections inherit that, and asyncio turns
    Nagle's algorithm off (TCP_NODELAY) only on sockets whose protocol says TCP. With several
    workers every request after the first on a kept-alive connection then waited about 40 ms
    for the client's delayed acknowledgement (uvicorn issue 3149): the hotline benchmark's
    steps took 50 ms over HTTP for 3 ms of work.
    """
    sock = config.bind_socket()
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto == 0:
        sock = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
    return sock
