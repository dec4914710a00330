"""Keeps configured secrets out of every log line, whoever writes it.

kafka-python logs its whole configuration at debug level (SASL password included), and a library
may put a connection string in an error. Rather than trust each of them, every log record is
checked when it is made: a secret found in its text is replaced by ***. Installed once per process,
and only when secrets are configured (it formats each record once more)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

_MASK = "***"
_installed: set[str] = set()


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every occurrence of each secret masked, longest first (one may contain another)."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, _MASK)
    return text


def install_secret_redaction(secrets: Iterable[str]) -> None:
    """Mask these values in every log record made from now on, in this process (idempotent)."""
    new = {s for s in secrets if len(s) >= 4} - _installed  # a 1-3 character "secret" would mask noise
    if not new:
        return
    _installed.update(new)
    make_record = logging.getLogRecordFactory()

    def redacting_factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed log call: leave it to logging's own error report
            return record
        if any(secret in message for secret in new):
            record.msg, record.args = redact(message, new), None
        return record

    logging.setLogRecordFactory(redacting_factory)
