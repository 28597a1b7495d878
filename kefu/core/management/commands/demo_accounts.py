"""``kefu demo-accounts [--disable]``: list or deactivate the demo staff accounts."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from kefu.core import services
from kefu.core.models import User


class Command(BaseCommand):
    help = "List the demo accounts, or deactivate them before a production start."

    def add_arguments(self, parser):
        parser.add_argument("--disable", action="store_true")

    def handle(self, *args, disable, **options):
        demo = User.objects.filter(is_demo=True).order_by("username")
        if disable:
            count = services.demo_accounts_disable()
            self.stdout.write(f"Deactivated {count} demo accounts.")
            return
        for user in demo:
            state = "active" if user.is_active else "inactive"
            self.stdout.write(f"{user.username:<12} {user.kind:<8} {state}")
