"""SEC-3: personal numbers that reach a log line are masked by the configured logging."""

from __future__ import annotations

import io
import logging

import pytest
from django.conf import settings

from kefu.core.logging import MaskingFormatter, MaskPersonalDataFilter

CARD = "6288880000000013"
RESIDENT_ID = "110105197803150315"
MOBILE = "13911110001"
SECRETS = (CARD, RESIDENT_ID, MOBILE)


def assert_masked(output: str) -> None:
    for number in SECRETS:
        assert number not in output
    assert "628888******0013" in output
    assert "1101**********0315" in output
    assert "139****0001" in output


@pytest.fixture
def console():
    """The console handler that settings.LOGGING configured, writing into a buffer."""
    handlers = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.StreamHandler)
        and any(isinstance(f, MaskPersonalDataFilter) for f in h.filters)
    ]
    assert len(handlers) == 1
    handler = handlers[0]
    buffer = io.StringIO()
    # Swapped directly: setStream() would flush the old stream, which pytest may have closed.
    previous, handler.stream = handler.stream, buffer
    try:
        yield buffer
    finally:
        handler.stream = previous


@pytest.fixture
def logger():
    log = logging.getLogger("kefu.tests.masking")
    log.setLevel(logging.INFO)
    return log


def test_settings_put_the_filter_and_the_masking_formatter_on_the_console_handler():
    console = settings.LOGGING["handlers"]["console"]

    assert console["filters"] == ["mask_pii"]
    assert settings.LOGGING["filters"]["mask_pii"]["()"] == (
        "kefu.core.logging.MaskPersonalDataFilter"
    )
    assert settings.LOGGING["formatters"][console["formatter"]]["()"] == (
        "kefu.core.logging.MaskingFormatter"
    )
    assert settings.LOGGING["root"]["handlers"] == ["console"]


def test_the_configured_handler_masks_numbers_in_the_message(console, logger):
    logger.warning(f"customer {MOBILE} card {CARD} id {RESIDENT_ID}")

    output = console.getvalue()
    assert_masked(output)
    assert "WARNING kefu.tests.masking customer 139****0001 card 628888******0013" in output


def test_the_configured_handler_masks_numbers_passed_as_arguments(console, logger):
    logger.info("customer %s card %s id %s", MOBILE, CARD, RESIDENT_ID)

    assert_masked(console.getvalue())


def test_the_configured_handler_masks_numbers_in_a_traceback(console, logger):
    try:
        raise ValueError(f"no card {CARD} for {MOBILE} / {RESIDENT_ID}")
    except ValueError:
        logger.exception("lookup failed")

    output = console.getvalue()
    assert_masked(output)
    assert "Traceback (most recent call last)" in output
    assert "ValueError: no card 628888******0013 for 139****0001" in output


def test_the_configured_handler_masks_numbers_in_a_stack(console, logger):
    logger.info("where", stack_info=True, extra={"note": "call back 13911110001"})

    output = console.getvalue()
    assert "Stack (most recent call last)" in output
    assert 'extra={"note": "call back 139****0001"}' in output
    assert MOBILE not in output


def handler_with(formatter: logging.Formatter, buffer: io.StringIO) -> logging.Handler:
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(formatter)
    handler.addFilter(MaskPersonalDataFilter())
    return handler


def log_through(handler: logging.Handler, emit) -> None:
    log = logging.getLogger("kefu.tests.masking.own")
    log.propagate = False
    log.setLevel(logging.DEBUG)
    log.addHandler(handler)
    try:
        emit(log)
    finally:
        log.removeHandler(handler)
        log.propagate = True


def test_the_filter_alone_masks_message_arguments_and_traceback_for_any_formatter():
    # given a handler with a plain formatter, protected by the filter only
    buffer = io.StringIO()
    handler = handler_with(logging.Formatter("%(levelname)s %(message)s"), buffer)

    def emit(log):
        log.info("card %s", CARD)
        log.info({"mobile": MOBILE})
        try:
            raise KeyError(RESIDENT_ID)
        except KeyError:
            log.exception("missing")

    log_through(handler, emit)

    assert_masked(buffer.getvalue())


def test_the_formatter_alone_masks_the_whole_line():
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(MaskingFormatter("%(message)s"))

    def emit(log):
        log.info("%s %s %s", CARD, MOBILE, RESIDENT_ID)

    log_through(handler, emit)

    assert buffer.getvalue() == "628888******0013 139****0001 1101**********0315\n"


def test_a_broken_format_string_is_still_logged_and_masked():
    buffer = io.StringIO()
    handler = handler_with(logging.Formatter("%(message)s"), buffer)

    def emit(log):
        log.info("card %s and %d", CARD)  # one argument short

    log_through(handler, emit)

    assert buffer.getvalue() == "card %s and %d ('628888******0013',)\n"


@pytest.fixture
def captured(caplog):
    """caplog's handler alone, with the masking filter, on a logger of its own."""
    log = logging.getLogger("kefu.tests.masking.captured")
    log.propagate = False
    log.setLevel(logging.INFO)
    mask = MaskPersonalDataFilter()
    caplog.handler.addFilter(mask)
    log.addHandler(caplog.handler)
    try:
        yield log
    finally:
        log.removeHandler(caplog.handler)
        caplog.handler.removeFilter(mask)
        log.propagate = True


def test_caplog_records_are_masked_by_the_filter(captured, caplog):
    captured.info("verify %s with %s", RESIDENT_ID, MOBILE)

    assert caplog.messages == ["verify 1101**********0315 with 139****0001"]
    assert caplog.records[0].args is None
    assert MOBILE not in caplog.text


def test_a_message_without_numbers_keeps_its_arguments(captured, caplog):
    captured.info("amount %s on %s", "3,256.18", "2026-11-25")

    assert caplog.messages == ["amount 3,256.18 on 2026-11-25"]
    assert caplog.records[0].args == ("3,256.18", "2026-11-25")
