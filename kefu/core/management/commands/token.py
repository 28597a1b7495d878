"""``kefu token create USERNAME`` / ``list`` / ``revoke PREFIX``: API tokens."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from kefu.core import services
from kefu.core.errors import KefuError
from kefu.core.models import ApiToken, User


class Command(BaseCommand):
    help = "Create, list and revoke API tokens for staff and service accounts."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser(
            "create", help="Create a token; it is printed once, alone on the last line."
        )
        create.add_argument("username")
        create.add_argument("--name", default="cli")
        lst = sub.add_parser("list", help="List tokens (prefixes only).")
        lst.add_argument("username", nargs="?")
        revoke = sub.add_parser("revoke", help="Revoke a token by its prefix.")
        revoke.add_argument("prefix")

    def handle(self, *args, action, **options):
        if action == "create":
            user = User.objects.filter(username=options["username"]).first()
            if user is None:
                raise CommandError(f"No user named {options['username']!r}.")
            if not user.is_active:
                raise CommandError(f"User {user.username!r} is deactivated.")
            token, raw = services.api_token_create(user=user, name=options["name"])
            self.stdout.write(
                f"Token {token.prefix} for {user.username} (shown once; store it safely):"
            )
            self.stdout.write(raw)
        elif action == "list":
            qs = ApiToken.objects.select_related("user").order_by("user__username", "created_at")
            if options.get("username"):
                qs = qs.filter(user__username=options["username"])
            for t in qs:
                state = "revoked" if t.revoked_at else "active"
                used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never"
                self.stdout.write(
                    f"{t.prefix}  {t.user.username:<16} {t.name:<16} {state:<8} last used {used}"
                )
        elif action == "revoke":
            try:
                token = services.api_token_get(prefix=options["prefix"])
            except KefuError as exc:
                raise CommandError(exc.message) from None
            services.api_token_revoke(token=token, by=None)
            self.stdout.write(f"Revoked {token.prefix} of {token.user.username}.")
