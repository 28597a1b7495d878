"""``kefu worker``: run background jobs and the periodic scheduler.

Several workers may run at once (on PostgreSQL): tasks are claimed with row locks by the
django-tasks database worker, and periodic runs are claimed by a unique key (core.periodic).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from kefu.core import periodic


class Command(BaseCommand):
    help = "Run background jobs and periodic jobs until stopped."

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds between polls when the queue is empty.",
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Run the periodic jobs due now and every queued job, then exit.",
        )
        parser.add_argument(
            "--no-scheduler", action="store_true", help="Do not run periodic jobs from this worker."
        )
        parser.add_argument("--queue", default="default")

    def handle(self, *args, interval, batch, no_scheduler, queue, **options):
        jobs = periodic.discover()
        scheduler = None
        if not no_scheduler:
            if batch:
                for name in periodic.tick():
                    self.stdout.write(f"enqueued {name}")
            else:
                scheduler = periodic.SchedulerThread()
                scheduler.start()
        self.stdout.write(
            f"Kefu worker: queue {queue}, {len(jobs)} periodic jobs ({', '.join(sorted(jobs))})"
        )
        worker = Worker(
            queue_names=queue.split(","),
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=not batch,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
        worker.configure_signals()
        try:
            worker.run()
        finally:
            if scheduler:
                scheduler.stop()
