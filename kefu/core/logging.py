"""SEC-3: masking of card, resident ID and mobile patterns in every log record.

The filter (on the handlers in settings.LOGGING) masks the message, the traceback and the
stack of each record, so any handler's formatter prints them masked; MaskingFormatter masks
the whole formatted line as a second line of defence.
"""

from __future__ import annotations

import logging

from kefu.core.masking import mask_text

_TRACEBACKS = logging.Formatter()


class MaskPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001
            # On a broken format string logging would print the raw arguments to stderr
            # (Handler.handleError): log the message with its masked arguments instead.
            message = f"{record.msg} {record.args!r}"
            record.msg, record.args = message, None
        masked = mask_text(message)
        if masked != message:
            record.msg = masked
            record.args = None
        if record.exc_info and not record.exc_text:
            # A formatter keeps an exc_text it finds, so a traceback that needs masking is
            # formatted and masked here, whatever formatter the handler uses.
            text = _TRACEBACKS.formatException(record.exc_info)
            masked_text = mask_text(text)
            if masked_text != text:
                record.exc_text = masked_text
        elif record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True


class MaskingFormatter(logging.Formatter):
    """Masks the whole formatted line, traceback included, whatever reached it."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_text(super().format(record))
