"""``kefu genkey``: print new random keys for KEFU_ENCRYPTION_KEYS and KEFU_LOOKUP_KEY."""

from __future__ import annotations

import secrets

from django.core.management.base import BaseCommand

from kefu.core.crypto import generate_key


class Command(BaseCommand):
    help = "Print fresh random keys for a production environment file."

    def handle(self, *args, **options):
        self.stdout.write(f"KEFU_SECRET_KEY={secrets.token_urlsafe(50)}")
        self.stdout.write(f"KEFU_ENCRYPTION_KEYS={generate_key()}")
        self.stdout.write(f"KEFU_LOOKUP_KEY={generate_key()}")
