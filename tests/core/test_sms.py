"""CH-3: SMS through a pluggable sender; the default logs the masked number and no secret."""

from __future__ import annotations

import logging

from django.core.checks import run_checks

from kefu.core import sms


class RecordingSender(sms.LoggingSmsSender):
    """A test gateway: keeps what it was given, and logs like the default sender."""

    sent: list[tuple[str, str, tuple[str, ...]]] = []

    def send(self, *, to, text, secrets=()):
        RecordingSender.sent.append((to, text, tuple(secrets)))
        super().send(to=to, text=text, secrets=secrets)


def test_the_default_sender_logs_the_number_masked_and_no_secret(caplog):
    with caplog.at_level(logging.INFO, logger="kefu.sms"):
        sms.send_sms(
            to="13911110001",
            text="请点击 https://x/s/TOKEN123/ 评价，验证码 864209",
            secrets=(
                "TOKEN123",
                "864209",
            ),
        )

    assert "139****0001" in caplog.text and "13911110001" not in caplog.text
    assert "TOKEN123" not in caplog.text and "864209" not in caplog.text
    assert caplog.text.count(sms.REDACTED) == 2


def test_the_configured_sender_gets_the_whole_message(settings):
    settings.KEFU_SMS_SENDER = "tests.core.test_sms.RecordingSender"
    RecordingSender.sent.clear()

    sms.send_sms(to="13911110001", text="链接 /s/abc/", secrets=("abc",))

    assert RecordingSender.sent == [("13911110001", "链接 /s/abc/", ("abc",))]


def test_a_sender_that_does_not_import_is_refused_at_start(settings):
    settings.KEFU_SMS_SENDER = "kefu.core.sms.NoSuchSender"

    errors = [e for e in run_checks() if e.id == "kefu.E011"]

    assert len(errors) == 1 and "NoSuchSender" in errors[0].msg
    settings.KEFU_SMS_SENDER = "kefu.core.sms.LoggingSmsSender"
    assert not [e for e in run_checks() if e.id == "kefu.E011"]
