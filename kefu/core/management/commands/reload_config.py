"""``kefu reload_config``: make every process read its kept configuration again.

Needed only after SLA policies, business hours, regulatory limits, entered calendar years or
team membership were changed outside Kefu (SQL, a restore): changes made in Kefu, its admin
and its services do this themselves (kefu.core.generations).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from kefu.core import generations
from kefu.core.services import audit_record


class Command(BaseCommand):
    help = (
        "Start a new configuration generation: every web and worker process reads the "
        "configuration it keeps in memory again on its next use."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            generations.bump()
            audit_record(actor=None, action="config.reloaded", actor_label="kefu reload_config")
        self.stdout.write("Configuration generation replaced: every process reloads.")
