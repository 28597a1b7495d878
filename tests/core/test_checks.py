import pytest

from kefu.core import checks
from kefu.core.crypto import generate_key

PRODUCTION = {
    "DEBUG": False,
    "SECRET_KEY": "x" * 60,
    "KEFU_ENCRYPTION_KEYS": [generate_key()],
    "KEFU_LOOKUP_KEY": generate_key(),
}


def configure(settings, **overrides):
    for key, value in {**PRODUCTION, **overrides}.items():
        setattr(settings, key, value)


def test_production_settings_with_real_keys_pass(settings):
    configure(settings)

    assert checks.check_production_settings(None) == []


def test_development_keys_are_refused_in_production(settings):
    configure(
        settings,
        SECRET_KEY=settings.DEV_SECRET_KEY,
        KEFU_ENCRYPTION_KEYS=[settings.DEV_ENCRYPTION_KEY],
        KEFU_LOOKUP_KEY=settings.DEV_LOOKUP_KEY,
    )

    ids = [e.id for e in checks.check_production_settings(None)]

    assert ids == ["kefu.E001", "kefu.E002", "kefu.E003"]


def test_development_keys_are_fine_with_debug_on(settings):
    configure(settings, DEBUG=True, SECRET_KEY=settings.DEV_SECRET_KEY)

    assert checks.check_production_settings(None) == []


@pytest.mark.django_db
def test_a_production_start_refuses_demo_accounts(settings, make_user):
    configure(settings)
    make_user("agent", "agent", is_demo=True)

    errors = checks.check_no_demo_accounts(None)

    assert [e.id for e in errors] == ["kefu.E010"]
    assert "agent" in errors[0].msg


@pytest.mark.django_db
def test_disabled_demo_accounts_no_longer_block_a_production_start(settings, make_user):
    from kefu.core.services import demo_accounts_disable

    configure(settings)
    make_user("agent", "agent", is_demo=True)

    assert demo_accounts_disable() == 1
    assert checks.check_no_demo_accounts(None) == []


@pytest.mark.django_db
def test_serve_refuses_to_start_in_production_with_demo_accounts(settings, make_user):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    configure(settings)
    make_user("agent", "agent", is_demo=True)

    with pytest.raises(SystemCheckError, match="kefu.E010"):
        call_command("serve", "--port", "8765")
