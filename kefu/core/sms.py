"""Outgoing SMS through a pluggable sender (CH-3).

``KEFU_SMS_SENDER`` names the sender class (default: ``kefu.core.sms.LoggingSmsSender``,
which only writes a log line). A gateway is plugged in by writing a class with the same
``send`` method and naming it there; the system check ``kefu.E011`` refuses a name that does
not import.

Callers pass the parts of the text that are secrets (one-time links, codes) in
``secrets``: a sender that sends the message needs them, anything that logs or stores the
message must not keep them (SEC-3).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from kefu.core.masking import mask_mobile

logger = logging.getLogger("kefu.sms")

REDACTED = "[已隐去]"


class SmsSender(Protocol):
    def send(self, *, to: str, text: str, secrets: Sequence[str] = ()) -> None: ...


def redact(text: str, secrets: Sequence[str]) -> str:
    """``text`` with every secret replaced, for logs."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


class LoggingSmsSender:
    """Sends nothing: logs the masked number and the text without its secrets."""

    def send(self, *, to: str, text: str, secrets: Sequence[str] = ()) -> None:
        logger.info("SMS to %s: %s", mask_mobile(to), redact(text, secrets))


@lru_cache(maxsize=4)
def _sender(path: str) -> SmsSender:
    return import_string(path)()


def sender() -> SmsSender:
    """The configured sender (one instance per process and setting)."""
    return _sender(settings.KEFU_SMS_SENDER)


def send_sms(*, to: str, text: str, secrets: Sequence[str] = ()) -> None:
    """Text ``to`` through the configured sender; ``secrets``: parts never to be logged."""
    sender().send(to=to, text=text, secrets=secrets)
