"""The notify stage: one notifier (console, webhook, Alertmanager), one alert at a time.

For each alert:
  1. decode (undecodable -> dead letter);
  2. send it on the notifier's own thread; a receiver that is down, slow or answering 5xx/408/429
     is waited out with backoff, the alert held (streams/stages/sinks.py);
  3. a receiver that refuses the alert (another 4xx) makes it a dead letter `<notifier>_refused`,
     for `newsstream deadletters replay` once the receiver is fixed;
  4. the caller sends the dead letters and acknowledges the alert, so a restart re-sends none
     that was delivered and committed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from streams.alerting.notifiers import DeliveryFailed, Notifier
from streams.stages.decode import RawMessage, StageResult, dead_letter, decode_alerts
from streams.stages.sinks import Backoff, SinkHealth, until_written
from streams.wire.codec import Codecs


def refused(error: BaseException) -> bool:
    return isinstance(error, DeliveryFailed) and error.permanent


@dataclass(slots=True)
class NotifyOutcome:
    result: StageResult = field(default_factory=StageResult)
    delivered: int = 0
    refused: int = 0


@dataclass(slots=True)
class NotifyStage:
    name: str
    notifier: Notifier
    codecs: Codecs
    run_blocking: Callable[..., Awaitable[Any]]
    health: SinkHealth
    backoff: Backoff
    on_retry: Callable[[BaseException], None] = lambda error: None

    @property
    def sink(self) -> str:
        return f"notify-{self.name}"

    async def deliver(self, messages: Sequence[RawMessage]) -> NotifyOutcome:
        good, dead = decode_alerts(messages, self.codecs, "notify")
        outcome = NotifyOutcome(result=StageResult(dead_letters=dead))
        for message, alert in good:
            try:
                await until_written(
                    self.sink,
                    lambda alert=alert: self.run_blocking(self.notifier.send, alert),  # type: ignore[misc]
                    health=self.health,
                    backoff=self.backoff,
                    permanent=refused,
                    on_failure=self.on_retry,
                )
                outcome.delivered += 1
            except DeliveryFailed as exc:
                outcome.refused += 1
                outcome.result.dead_letters.append(dead_letter(message, "notify", f"{self.name}_refused", exc))
        return outcome
