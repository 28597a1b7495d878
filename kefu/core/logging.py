"""A logging filter that masks card, resident ID and mobile patterns in every record."""

from __future__ import annotations

import logging

from kefu.core.masking import mask_text


class MaskPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001  (a broken format string must still be logged)
            message = str(record.msg)
        masked = mask_text(message)
        if masked != message:
            record.msg = masked
            record.args = None
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        return True


class MaskingFormatter(logging.Formatter):
    """Masks the whole formatted line, tracebacks included (the filter runs before a
    traceback is formatted, so it cannot see those)."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_text(super().format(record))
