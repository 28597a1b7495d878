"""Demo staff accounts, the telephony service account and its token, account managers."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction

from kefu.core.models import ApiToken, User
from kefu.core.services import api_token_create, api_token_revoke
from kefu.customers.demo.data import (
    ACCOUNT_MANAGERS,
    BRANCHES,
    DEMO_PASSWORD,
    DEMO_STAFF,
    TELEPHONY_TOKEN_NAME,
    TELEPHONY_USERNAME,
)
from kefu.customers.models import AccountManager


@transaction.atomic
def demo_staff_ensure() -> str:
    """Upsert the demo staff and the telephony account; returns a new telephony token.

    Expects the role groups (sync_roles). Passwords go back to DEMO_PASSWORD and lockouts
    are lifted; the telephony account's earlier demo tokens are revoked.
    """
    groups = {g.name: g for g in Group.objects.all()}
    for number, staff in enumerate(DEMO_STAFF, start=1):
        user = User.objects.filter(username=staff.username).first() or User(username=staff.username)
        user.kind = User.Kind.STAFF
        user.display_name = staff.display_name
        user.employee_no = f"DEMO{number:03d}"
        user.is_demo = True
        user.is_active = True
        user.is_staff = staff.role == "admin"  # the Django admin site
        user.failed_login_count = 0
        user.locked_until = None
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.set([groups[staff.role]])
    telephony = User.objects.filter(username=TELEPHONY_USERNAME).first() or User(
        username=TELEPHONY_USERNAME
    )
    telephony.kind = User.Kind.SERVICE
    telephony.display_name = "演示话务平台"
    telephony.is_demo = True
    telephony.is_active = True
    telephony.is_staff = False
    telephony.set_unusable_password()
    telephony.save()
    telephony.groups.set([groups["telephony"]])
    for old in ApiToken.objects.filter(
        user=telephony, name=TELEPHONY_TOKEN_NAME, revoked_at__isnull=True
    ):
        api_token_revoke(token=old, by=None)
    _token, raw = api_token_create(user=telephony, name=TELEPHONY_TOKEN_NAME)
    return raw


@transaction.atomic
def account_managers_ensure() -> list[AccountManager]:
    """The demo's account managers (客户经理), the same for every seed."""
    from faker import Faker

    fake = Faker("zh_CN")
    fake.seed_instance("kefu-demo-managers")
    wanted = [
        AccountManager(
            employee_no=f"DEMO-AM-{n:03d}",
            name=fake.name(),
            branch=BRANCHES[n % len(BRANCHES)],
            phone=f"0755-8{n:03d}{6000 + n:04d}",
        )
        for n in range(1, ACCOUNT_MANAGERS + 1)
    ]
    existing = set(
        AccountManager.objects.filter(employee_no__in=[m.employee_no for m in wanted]).values_list(
            "employee_no", flat=True
        )
    )
    AccountManager.objects.bulk_create([m for m in wanted if m.employee_no not in existing])
    return list(
        AccountManager.objects.filter(employee_no__in=[m.employee_no for m in wanted]).order_by(
            "employee_no"
        )
    )
