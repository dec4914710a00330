"""The webhook notifier against a real HTTP server on loopback that fails before it succeeds."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from streams.alerting.notifiers import DeliveryFailed, WebhookNotifier
from streams.core.models import Alert


class FlakyReceiver:
    def __init__(self, failures: int, status: int = 503) -> None:
        self.failures, self.status, self.bodies, self.headers = failures, status, [], []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.headers.append(dict(self.headers))
                if receiver.failures > 0:
                    receiver.failures -= 1
                    self.send_response(receiver.status)
                else:
                    receiver.bodies.append(json.loads(body))
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def alert() -> Alert:
    return Alert("a1", "rule", "critical", "match", "Title", "Summary", ["x"], "s1", ["ASSAULT"], ["PK"], 1)


def test_webhook_retries_until_the_receiver_accepts(alert):
    """Two 503s, then success: the alert arrives once, with the bearer token."""
    receiver = FlakyReceiver(failures=2)
    sleeps: list[float] = []
    token = "s3cret"
    WebhookNotifier(receiver.url, token=token, backoff_seconds=0.1, sleep=sleeps.append).send(alert)
    receiver.server.shutdown()
    assert [b["id"] for b in receiver.bodies] == ["a1"]
    assert len(receiver.headers) == 3
    assert receiver.headers[-1]["Authorization"] == "Bearer s3cret"
    assert sleeps == [0.1, 0.2]  # exponential backoff


def test_webhook_gives_up_after_its_attempts(alert):
    """A receiver that keeps failing raises DeliveryFailed after the configured attempts."""
    receiver = FlakyReceiver(failures=10)
    with pytest.raises(DeliveryFailed, match="after 3 attempt") as failure:
        WebhookNotifier(receiver.url, attempts=3, sleep=lambda _: None).send(alert)
    receiver.server.shutdown()
    assert not failure.value.permanent  # a receiver that is down may come back: the notify agent waits


def test_webhook_does_not_retry_a_client_error(alert):
    """A 400 means the receiver rejects the alert: one attempt only."""
    receiver = FlakyReceiver(failures=10, status=400)
    with pytest.raises(DeliveryFailed, match="HTTP 400") as failure:
        WebhookNotifier(receiver.url, attempts=5, sleep=lambda _: None).send(alert)
    receiver.server.shutdown()
    assert len(receiver.headers) == 1
    assert failure.value.permanent  # dead-lettered, not retried


def test_slack_format_posts_text(alert):
    """NEWSSTREAM_WEBHOOK_FORMAT=slack sends one `text` field with severity, rule and title."""
    from streams.alerting.notifiers import slack_message

    receiver = FlakyReceiver(failures=0)
    WebhookNotifier(receiver.url, body=slack_message).send(alert)
    receiver.server.shutdown()
    [body] = receiver.bodies
    assert set(body) == {"text"}
    assert "CRITICAL" in body["text"] and "`rule`" in body["text"] and "Title" in body["text"]
