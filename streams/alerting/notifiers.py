"""Alert delivery: console and webhook (JSON POST with retries and backoff). I/O lives here only."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import asdict
from typing import Protocol, TextIO

import httpx

from streams.core.models import Alert

log = logging.getLogger(__name__)


class Notifier(Protocol):
    """Delivers one alert; raises DeliveryFailed when it finally cannot."""

    def send(self, alert: Alert) -> None: ...


class DeliveryFailed(Exception):
    """Every attempt to deliver an alert failed. `permanent`: the receiver refused this alert
    (a 4xx other than 408/429), so sending it again cannot help; otherwise it may work later."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


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


def slack_message(alert: Alert) -> dict[str, object]:
    """Slack-compatible incoming-webhook body (also understood by Mattermost, Rocket.Chat, Teams
    connectors that accept `text`)."""
    icon = {"critical": ":rotating_light:", "warning": ":warning:"}.get(alert.severity, ":information_source:")
    where = ", ".join(alert.countries) or "-"
    return {"text": f"{icon} *{alert.severity.upper()}* `{alert.rule}` ({where}) {alert.title}\n{alert.summary}"}


def alertmanager_payload(alert: Alert, *, resolve_after_seconds: int = 3600) -> list[dict[str, object]]:
    """Prometheus Alertmanager API v2 body: one alert whose labels identify rule and story, so
    Alertmanager groups, silences and de-duplicates with them; it resolves itself after a while."""
    starts = time.gmtime(alert.created_at / 1000)
    ends = time.gmtime(alert.created_at / 1000 + resolve_after_seconds)
    return [
        {
            "labels": {
                "alertname": "NewsstreamEvent",
                "rule": alert.rule,
                "severity": alert.severity,
                "story_id": alert.story_id,
                "kind": alert.kind,
                "event_types": ",".join(alert.event_types),
                "countries": ",".join(alert.countries),
            },
            "annotations": {"title": alert.title, "summary": alert.summary, "alert_id": alert.id},
            "startsAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", starts),
            "endsAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", ends),
        }
    ]


class WebhookNotifier:
    """POSTs each alert as JSON; retries 5xx, 429 and network errors with exponential backoff."""

    def __init__(
        self,
        url: str,
        *,
        body: Callable[[Alert], object] = alert_json,
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
        self._body = body
        self._client = client or httpx.Client(timeout=timeout, headers=headers)
        self._attempts = attempts
        self._backoff = backoff_seconds
        self._sleep = sleep

    def send(self, alert: Alert) -> None:
        body = json.dumps(self._body(alert))
        # delivery is at least once (a worker killed between sending and committing sends again):
        # the alert id lets a receiver drop the repeat
        headers = {"Idempotency-Key": alert.id}
        last_error = ""
        refused = False
        for attempt in range(1, self._attempts + 1):
            try:
                response = self._client.post(self._url, content=body, headers=headers)
                if response.status_code < 300:
                    return
                last_error = f"HTTP {response.status_code}"
                if response.status_code < 500 and response.status_code not in (408, 429):
                    refused = True  # the receiver rejects this alert: retrying will not help
                    break
            except httpx.HTTPError as exc:
                last_error = f"{type(exc).__name__}: {exc}"
            if attempt < self._attempts:
                delay = self._backoff * 2 ** (attempt - 1)
                log.warning("webhook %s failed (%s); retry %d in %.1fs", self._url, last_error, attempt, delay)
                self._sleep(delay)
        raise DeliveryFailed(f"webhook {self._url} failed after {attempt} attempt(s): {last_error}", permanent=refused)


def alertmanager_notifier(base_url: str, **options: object) -> WebhookNotifier:
    """A notifier that posts to Alertmanager's `/api/v2/alerts`."""
    return WebhookNotifier(base_url.rstrip("/") + "/api/v2/alerts", body=alertmanager_payload, **options)  # type: ignore[arg-type]
