"""Alert delivery: console and webhook (JSON POST with retries and backoff). I/O lives here only."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import asdict
from typing import Protocol, TextIO

import httpx

from streams.models import Alert

log = logging.getLogger(__name__)


class Notifier(Protocol):
    """Delivers one alert; raises DeliveryFailed when it finally cannot."""

    def send(self, alert: Alert) -> None: ...


class DeliveryFailed(Exception):
    """Every attempt to deliver an alert failed."""


def alert_json(alert: Alert) -> dict[str, object]:
    """The alert as a JSON-ready dict (the same fields as the Avro record)."""
    return asdict(alert)


class ConsoleNotifier:
    """One line per alert on a text stream (what `newsstream alerts tail` prints)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def send(self, alert: Alert) -> None:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(alert.created_at / 1000))
        countries = ",".join(alert.countries) or "-"
        types = ",".join(alert.event_types) or "-"
        self._stream.write(
            f"{stamp} [{alert.severity.upper():8}] {alert.rule}  {types}  {countries}  {alert.title}\n"
            f"    {alert.summary}\n"
        )
        self._stream.flush()


class WebhookNotifier:
    """POSTs each alert as JSON; retries 5xx, 429 and network errors with exponential backoff."""

    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        attempts: int = 5,
        backoff_seconds: float = 0.5,
        timeout: float = 10.0,
        client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        headers = {"Content-Type": "application/json", "User-Agent": "newsstream-alerts"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._url = url
        self._client = client or httpx.Client(timeout=timeout, headers=headers)
        self._attempts = attempts
        self._backoff = backoff_seconds
        self._sleep = sleep

    def send(self, alert: Alert) -> None:
        body = json.dumps(alert_json(alert))
        last_error = ""
        for attempt in range(1, self._attempts + 1):
            try:
                response = self._client.post(self._url, content=body)
                if response.status_code < 300:
                    return
                last_error = f"HTTP {response.status_code}"
                if response.status_code < 500 and response.status_code != 429:
                    break  # the receiver rejects this alert: retrying will not help
            except httpx.HTTPError as exc:
                last_error = f"{type(exc).__name__}: {exc}"
            if attempt < self._attempts:
                delay = self._backoff * 2 ** (attempt - 1)
                log.warning("webhook %s failed (%s); retry %d in %.1fs", self._url, last_error, attempt, delay)
                self._sleep(delay)
        raise DeliveryFailed(f"webhook {self._url} failed after {attempt} attempt(s): {last_error}")
