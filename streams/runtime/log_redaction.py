"""Keeps secrets out of every log line, whoever writes it.

kafka-python logs its whole configuration at debug level (SASL password included), and a library
may put a connection string in an error. Rather than trust each of them, every log record is
checked when it is made: a configured secret found in its text is replaced by ***, and so is the
password of any URL with credentials (postgresql://user:***@host/db). Installed once per process.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

_MASK = "***"
# bounded repeats: an unbounded pattern backtracks quadratically on a long URL-like line
_URL_PASSWORD = re.compile(
    r"(?P<head>[a-zA-Z][a-zA-Z0-9+.-]{0,30}://[^\s:/@]{1,256}:)(?P<password>[^\s@/]{1,256})(?=@)"
)
_secrets: set[str] = set()
_installed = False


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every occurrence of each secret masked (longest first: one may contain another),
    and the password of every URL with credentials."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, _MASK)
    if "://" in text and "@" in text:
        text = _URL_PASSWORD.sub(rf"\g<head>{_MASK}", text)
    return text


def install_secret_redaction(secrets: Iterable[str]) -> None:
    """Mask these values (and URL passwords) in every log record made from now on, in this process."""
    global _installed
    _secrets.update(s for s in secrets if len(s) >= 4)  # a 1-3 character "secret" would mask noise
    if _installed:
        return
    _installed = True
    make_record = logging.getLogRecordFactory()

    def redacting_factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed log call: leave it to logging's own error report
            return record
        masked = redact(message, _secrets)
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_info and record.exc_info[0] is not None:
            # a traceback's text (an exception message with a connection string) is masked too
            text = logging.Formatter().formatException(record.exc_info)
            masked_text = redact(text, _secrets)
            if masked_text != text:
                record.exc_text, record.exc_info = masked_text, None
        return record

    logging.setLogRecordFactory(redacting_factory)
